import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type { Message as AnthropicMessage } from '@anthropic-ai/sdk/resources/messages';
import { beforeAll, describe, expect, it } from 'vitest';
import { MissingApiKeyError } from '../errors.ts';
import type { Message } from '../messages.ts';
import {
  AnthropicProvider,
  anthropicStopReason,
  fromAnthropicResponse,
  fromAnthropicUsage,
  parseToolInput,
  toAnthropicError,
  loadAnthropicSdk,
  toAnthropicMessages,
  toAnthropicRequest,
} from './anthropic.ts';
import { ModelCallError } from './model-errors.ts';

function response(content: unknown[], extra: Partial<AnthropicMessage> = {}): AnthropicMessage {
  return {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5-20250929',
    content,
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: null, cache_creation_input_tokens: null },
    ...extra,
  } as AnthropicMessage;
}

describe('toAnthropicRequest', () => {
  it('sends instructions as system, tools with input_schema, and max_tokens, each end of the cached prefix marked', () => {
    expect(
      toAnthropicRequest({
        model: 'claude-sonnet-4-5',
        instructions: 'You are terse.',
        messages: [{ role: 'user', content: 'Hi' }],
        tools: [{ name: 'search', description: 'Search the web', parameters: { type: 'object', properties: { q: { type: 'string' } } } }],
        maxOutputTokens: 1024,
      }),
    ).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 1024,
      system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] }],
      tools: [{ name: 'search', description: 'Search the web', input_schema: { type: 'object', properties: { q: { type: 'string' } } }, cache_control: { type: 'ephemeral' } }],
    });
  });

  it('asks for structured output as a tool the model must call: any tool while it has others, else that one', () => {
    const output = { name: 'final_answer', description: 'The findings.', schema: { type: 'object', properties: { confidence: { type: 'number' } } } };
    const search = { name: 'search', description: 'Search', parameters: { type: 'object' } };
    const withTools = toAnthropicRequest({ model: 'm', instructions: '', messages: [], tools: [search], output, maxOutputTokens: 1 });
    expect(withTools.tools?.map((tool) => (tool as { name: string }).name)).toEqual(['search', 'final_answer']);
    expect(withTools.tool_choice).toEqual({ type: 'any' });
    const alone = toAnthropicRequest({ model: 'm', instructions: '', messages: [], tools: [], output, maxOutputTokens: 1 });
    expect(alone.tools).toEqual([{ name: 'final_answer', description: 'The findings.', input_schema: output.schema, cache_control: { type: 'ephemeral' } }]);
    expect(alone.tool_choice).toEqual({ type: 'tool', name: 'final_answer' });
  });

  it('leaves out empty tools and instructions', () => {
    const body = toAnthropicRequest({ model: 'm', instructions: '', messages: [], tools: [], maxOutputTokens: 1 });
    expect(body).not.toHaveProperty('system');
    expect(body).not.toHaveProperty('tools');
  });
});

describe('toAnthropicMessages', () => {
  it('sends tool calls as tool_use and one turn of tool results as ONE user message, with a following user text merged in', () => {
    const messages: Message[] = [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking both.',
        toolCalls: [
          { id: 'toolu_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'toolu_2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      { role: 'tool', toolCallId: 'toolu_1', toolName: 'get_weather', content: '18°C', isError: false },
      { role: 'tool', toolCallId: 'toolu_2', toolName: 'get_weather', content: 'Service down', isError: true },
      { role: 'user', content: 'Answer in Fahrenheit.' },
      { role: 'assistant', content: 'Paris is 64°F.', toolCalls: [] },
    ];
    expect(toAnthropicMessages(messages)).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: 'Service down', is_error: true },
          { type: 'text', text: 'Answer in Fahrenheit.' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'Paris is 64°F.' }] },
    ]);
  });

  it('sends {} for arguments that are not a JSON object (e.g. from another provider) and keeps going', () => {
    const [, assistant] = toAnthropicMessages([
      { role: 'user', content: 'go' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_1', name: 'f', arguments: '{"a": ' },
          { id: 'call_2', name: 'f', arguments: '[1,2]' },
          { id: 'call_3', name: 'f', arguments: '' },
        ],
      },
    ]);
    expect(assistant).toEqual({
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'f', input: {} },
        { type: 'tool_use', id: 'call_2', name: 'f', input: {} },
        { type: 'tool_use', id: 'call_3', name: 'f', input: {} },
      ],
    });
  });

  it('makes foreign tool-call ids acceptable, the same way on both ends', () => {
    const [, assistant, results] = toAnthropicMessages([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call:abc.1', name: 'f', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call:abc.1', toolName: 'f', content: 'ok', isError: false },
    ]);
    expect(assistant?.content).toEqual([{ type: 'tool_use', id: 'call_abc_1', name: 'f', input: {} }]);
    expect(results?.content).toEqual([{ type: 'tool_result', tool_use_id: 'call_abc_1', content: 'ok' }]);
  });

  it('drops empty texts and keeps roles alternating', () => {
    expect(
      toAnthropicMessages([
        { role: 'user', content: 'one' },
        { role: 'assistant', content: '', toolCalls: [] },
        { role: 'user', content: 'two' },
      ]),
    ).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      },
    ]);
  });
});

describe('parseToolInput', () => {
  it('parses objects and refuses anything else', () => {
    expect(parseToolInput('{"q":"x","n":2}')).toEqual({ q: 'x', n: 2 });
    expect(parseToolInput('null')).toEqual({});
    expect(parseToolInput('"text"')).toEqual({});
    expect(parseToolInput('not json')).toEqual({});
  });
});

describe('fromAnthropicResponse', () => {
  it('joins text blocks and turns tool_use into tool calls with JSON arguments', () => {
    const mapped = fromAnthropicResponse(
      response(
        [
          { type: 'text', text: 'Let me ', citations: null },
          { type: 'text', text: 'check.', citations: null },
          { type: 'tool_use', id: 'toolu_9', name: 'get_weather', input: { city: 'Paris', days: 2 } },
        ],
        { stop_reason: 'tool_use' },
      ),
    );
    expect(mapped).toEqual({
      message: {
        role: 'assistant',
        content: 'Let me check.',
        toolCalls: [{ id: 'toolu_9', name: 'get_weather', arguments: '{"city":"Paris","days":2}' }],
      },
      usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 },
      stopReason: 'tool_calls',
      modelVersion: 'claude-sonnet-4-5-20250929',
    });
  });

  it('turns a call of the output tool into the answer, as JSON text, dropping calls made beside it', () => {
    const mapped = fromAnthropicResponse(
      response(
        [
          { type: 'tool_use', id: 'toolu_1', name: 'search', input: { q: 'tides' } },
          { type: 'tool_use', id: 'toolu_2', name: 'final_answer', input: { confidence: 0.8 } },
        ],
        { stop_reason: 'tool_use' },
      ),
      'final_answer',
    );
    expect(mapped.message).toEqual({ role: 'assistant', content: '{"confidence":0.8}', toolCalls: [] });
    expect(mapped.stopReason).toBe('end_turn');
  });

  it('ignores blocks it does not use, such as thinking', () => {
    const mapped = fromAnthropicResponse(
      response([
        { type: 'thinking', thinking: 'hmm', signature: 's' },
        { type: 'text', text: 'Done.', citations: null },
      ]),
    );
    expect(mapped.message.content).toBe('Done.');
  });
});

describe('fromAnthropicUsage', () => {
  it('counts cache reads and writes as input; cache reads as cached, writes apart', () => {
    expect(fromAnthropicUsage({ input_tokens: 20, output_tokens: 7, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300 })).toEqual({
      inputTokens: 1320,
      outputTokens: 7,
      cachedInputTokens: 1000,
      cacheWriteInputTokens: 300,
    });
    expect(fromAnthropicUsage({ input_tokens: 3, output_tokens: 1, cache_read_input_tokens: null, cache_creation_input_tokens: null })).toEqual({
      inputTokens: 3,
      outputTokens: 1,
      cachedInputTokens: 0,
    });
  });
});

describe('anthropicStopReason', () => {
  it.each([
    ['end_turn', 'end_turn'],
    ['stop_sequence', 'end_turn'],
    ['tool_use', 'tool_calls'],
    ['max_tokens', 'max_tokens'],
    ['model_context_window_exceeded', 'max_tokens'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'other'],
    [null, 'other'],
  ] as const)('%s → %s', (reason, expected) => {
    expect(anthropicStopReason(reason, false)).toBe(expected);
  });
});

describe('toAnthropicError', () => {
  // The provider loads its SDK with the first call; these errors are made here without one.
  beforeAll(async () => {
    await loadAnthropicSdk();
  });

  const apiError = (status: number, message: string, headers: Record<string, string> = {}) =>
    APIError.generate(status, { type: 'error', error: { type: 'some_error', message } }, undefined, new Headers(headers));

  it('quotes the server and classifies', () => {
    const error = toAnthropicError(apiError(400, 'max_tokens: must be at most 64000'), undefined);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ kind: 'fatal', status: 400, provider: 'Anthropic' });
    expect((error as Error).message).toMatch(/^Anthropic rejected the call with HTTP 400: max_tokens: must be at most 64000 The request was rejected/);
  });

  it('treats 529 overloaded and 429 as rate limits, 500 as transient', () => {
    expect(toAnthropicError(apiError(529, 'Overloaded'), undefined)).toMatchObject({ kind: 'rate_limited', status: 529 });
    expect(toAnthropicError(apiError(429, 'Slow down', { 'retry-after': '2' }), undefined)).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 2000,
    });
    expect(toAnthropicError(apiError(500, 'Internal'), undefined)).toMatchObject({ kind: 'transient' });
  });

  it('names the key variable on 401', () => {
    expect((toAnthropicError(apiError(401, 'invalid x-api-key'), undefined) as Error).message).toContain('ANTHROPIC_API_KEY');
  });

  it('treats connection failures as transient and keeps aborts as aborts', () => {
    expect(toAnthropicError(new APIConnectionError({ cause: new Error('connect ECONNREFUSED') }), undefined)).toMatchObject({
      kind: 'transient',
    });
    const controller = new AbortController();
    controller.abort();
    expect(toAnthropicError(new APIUserAbortError(), controller.signal)).toMatchObject({ name: 'AbortError' });
  });
});

describe('AnthropicProvider', () => {
  it('needs a key', () => {
    expect(() => new AnthropicProvider({}, {})).toThrow(MissingApiKeyError);
    expect(() => new AnthropicProvider({}, { ANTHROPIC_BASE_URL: 'http://localhost:1' })).toThrow(/ANTHROPIC_API_KEY is not set/);
    expect(new AnthropicProvider({}, { ANTHROPIC_API_KEY: 'k' }).name).toBe('anthropic');
  });
});
