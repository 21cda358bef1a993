import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { ChatCompletion } from 'openai/resources/chat/completions';
import { beforeAll, describe, expect, it } from 'vitest';
import { MissingApiKeyError } from '../errors.ts';
import type { Message } from '../messages.ts';
import { ModelCallError } from './model-errors.ts';
import { fromOpenAIResponse, OpenAIProvider, openAIStopReason, toOpenAIError, loadOpenAISdk, toOpenAIMessages, toOpenAIRequest } from './openai.ts';
import type { ModelRequest } from './provider.ts';

const request: Omit<ModelRequest, 'signal'> = {
  model: 'gpt-4.1-mini',
  instructions: 'You are terse.',
  messages: [{ role: 'user', content: 'Weather in Paris?' }],
  tools: [
    {
      name: 'get_weather',
      description: 'Current weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  ],
  maxOutputTokens: 256,
};

function completion(message: Partial<ChatCompletion.Choice['message']>, extra: Partial<ChatCompletion> = {}, finishReason = 'stop'): ChatCompletion {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 0,
    model: 'gpt-4.1-mini-2025-04-14',
    choices: [
      {
        index: 0,
        finish_reason: finishReason as ChatCompletion.Choice['finish_reason'],
        logprobs: null,
        message: { role: 'assistant', content: null, refusal: null, ...message },
      },
    ],
    ...extra,
  };
}

describe('toOpenAIRequest', () => {
  it('sends instructions as a system message, tools as functions and the cap as max_completion_tokens', () => {
    expect(toOpenAIRequest(request)).toEqual({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Current weather for a city',
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          },
        },
      ],
      max_completion_tokens: 256,
    });
  });

  it('asks for structured output as a JSON-schema response format', () => {
    const output = { name: 'final_answer', description: 'The findings.', schema: { type: 'object', properties: { confidence: { type: 'number' } } } };
    expect(toOpenAIRequest({ ...request, output }).response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'final_answer', description: 'The findings.', schema: output.schema, strict: false },
    });
  });

  it('can use max_tokens for older servers', () => {
    const body = toOpenAIRequest(request, 'max_tokens');
    expect(body.max_tokens).toBe(256);
    expect(body).not.toHaveProperty('max_completion_tokens');
  });

  it('leaves out empty tools and empty instructions', () => {
    const body = toOpenAIRequest({ ...request, tools: [], instructions: '  ' });
    expect(body).not.toHaveProperty('tools');
    expect(body.messages).toEqual([{ role: 'user', content: 'Weather in Paris?' }]);
  });
});

describe('toOpenAIMessages', () => {
  it('round-trips a tool turn with the arguments verbatim', () => {
    const messages: Message[] = [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_2', name: 'get_weather', arguments: '{"city": "Rome"' },
        ],
      },
      { role: 'tool', toolCallId: 'call_1', toolName: 'get_weather', content: '18°C', isError: false },
      { role: 'tool', toolCallId: 'call_2', toolName: 'get_weather', content: 'Invalid arguments: bad JSON', isError: true },
      { role: 'assistant', content: 'Paris is 18°C.', toolCalls: [] },
    ];
    expect(toOpenAIMessages(messages)).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Rome"' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '18°C' },
      { role: 'tool', tool_call_id: 'call_2', content: 'Invalid arguments: bad JSON' },
      { role: 'assistant', content: 'Paris is 18°C.' },
    ]);
  });

  it('keeps text that comes with tool calls', () => {
    const [message] = toOpenAIMessages([{ role: 'assistant', content: 'Let me look.', toolCalls: [{ id: 'c', name: 't', arguments: '{}' }] }]);
    expect(message).toMatchObject({ content: 'Let me look.' });
  });
});

describe('fromOpenAIResponse', () => {
  it('maps text, usage with cached tokens, and the model version', () => {
    const response = fromOpenAIResponse(
      completion(
        { content: 'Hello.' },
        { usage: { prompt_tokens: 120, completion_tokens: 7, total_tokens: 127, prompt_tokens_details: { cached_tokens: 100 } } },
      ),
    );
    expect(response).toEqual({
      message: { role: 'assistant', content: 'Hello.', toolCalls: [] },
      usage: { inputTokens: 120, outputTokens: 7, cachedInputTokens: 100 },
      stopReason: 'end_turn',
      modelVersion: 'gpt-4.1-mini-2025-04-14',
    });
  });

  it('keeps tool-call arguments exactly as the model wrote them, even malformed', () => {
    const response = fromOpenAIResponse(
      completion(
        {
          tool_calls: [
            { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{ "city" : "Paris" }' } },
            { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city": ' } },
          ],
        },
        {},
        'tool_calls',
      ),
    );
    expect(response.message).toEqual({
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'call_a', name: 'get_weather', arguments: '{ "city" : "Paris" }' },
        { id: 'call_b', name: 'get_weather', arguments: '{"city": ' },
      ],
    });
    expect(response.stopReason).toBe('tool_calls');
    expect(response.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
  });

  it('tolerates compatible servers: missing ids, object arguments, `stop` with tool calls', () => {
    const response = fromOpenAIResponse(
      completion({
        tool_calls: [{ id: '', type: 'function', function: { name: 'f', arguments: { a: 1 } as unknown as string } }],
      }),
    );
    expect(response.message.toolCalls).toEqual([{ id: '', name: 'f', arguments: '{"a":1}' }]);
    expect(response.stopReason).toBe('tool_calls');
  });

  it('surfaces a refusal as the text', () => {
    const response = fromOpenAIResponse(completion({ refusal: 'I cannot help with that.' }, {}, 'content_filter'));
    expect(response.message.content).toBe('I cannot help with that.');
    expect(response.stopReason).toBe('content_filter');
  });

  it('fails clearly on a response without choices', () => {
    expect(() => fromOpenAIResponse({ ...completion({}), choices: [] })).toThrow(/without choices/);
  });
});

describe('openAIStopReason', () => {
  it.each([
    ['stop', false, 'end_turn'],
    ['tool_calls', true, 'tool_calls'],
    ['function_call', true, 'tool_calls'],
    ['length', false, 'max_tokens'],
    ['content_filter', false, 'content_filter'],
    [null, false, 'other'],
    ['eos', false, 'other'],
  ] as const)('%s → %s', (reason, hasToolCalls, expected) => {
    expect(openAIStopReason(reason, hasToolCalls)).toBe(expected);
  });
});

describe('toOpenAIError', () => {
  // The provider loads its SDK with the first call; these errors are made here without one.
  beforeAll(async () => {
    await loadOpenAISdk();
  });

  const apiError = (status: number, body: object, headers: Record<string, string> = {}) =>
    APIError.generate(status, body, undefined, new Headers(headers));

  it('classifies HTTP errors and quotes the server', () => {
    const error = toOpenAIError(
      apiError(400, { error: { message: "Invalid schema for function 'get_weather'", type: 'invalid_request_error' } }),
      undefined,
    );
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ kind: 'fatal', status: 400, provider: 'OpenAI' });
    expect((error as Error).message).toBe(
      "OpenAI rejected the call with HTTP 400: Invalid schema for function 'get_weather' The request was rejected as invalid: check the model name, tool schemas and max tokens.",
    );
  });

  it('reads the retry hint of a 429', () => {
    expect(toOpenAIError(apiError(429, { error: { message: 'Slow down' } }, { 'retry-after': '2' }), undefined)).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 2000,
    });
  });

  it('treats connection failures and timeouts as transient', () => {
    expect(toOpenAIError(new APIConnectionError({ cause: new Error('connect ECONNREFUSED') }), undefined, 'http://h/v1')).toMatchObject({
      kind: 'transient',
      message: 'Could not reach OpenAI at http://h/v1: connect ECONNREFUSED',
    });
    expect(toOpenAIError(new APIConnectionTimeoutError(), undefined)).toMatchObject({ kind: 'transient' });
  });

  it("rethrows the caller's abort as an abort", () => {
    const controller = new AbortController();
    controller.abort();
    const error = toOpenAIError(new APIUserAbortError(), controller.signal);
    expect(error).not.toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ name: 'AbortError' });
  });

  it('passes unknown errors through', () => {
    const bug = new TypeError('x is undefined');
    expect(toOpenAIError(bug, undefined)).toBe(bug);
  });
});

describe('OpenAIProvider', () => {
  it('needs a key for OpenAI itself', () => {
    expect(() => new OpenAIProvider({}, {})).toThrow(MissingApiKeyError);
    expect(() => new OpenAIProvider({}, { OPENAI_API_KEY: '  ' })).toThrow(/OPENAI_API_KEY is not set/);
  });

  it('needs no key for a custom base URL', () => {
    expect(new OpenAIProvider({}, { OPENAI_BASE_URL: 'http://localhost:11434/v1' }).baseURL).toBe('http://localhost:11434/v1');
    expect(new OpenAIProvider({ baseURL: 'http://localhost:8000/v1' }, {}).name).toBe('openai');
  });
});
