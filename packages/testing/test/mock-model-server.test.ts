import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, lastMessage, toolResults } from '@cairn/testing';

// The real SDK clients, pointed at the mock, with their own retries off so that
// every scripted fault reaches the test.
let server: MockModelServer;
const openai = (options: { timeout?: number } = {}) =>
  new OpenAI({ apiKey: 'test', baseURL: server.openaiBaseUrl, maxRetries: 0, ...options });
const anthropic = (options: { timeout?: number } = {}) =>
  new Anthropic({ apiKey: 'test', baseURL: server.anthropicBaseUrl, maxRetries: 0, ...options });

beforeAll(async () => {
  server = await MockModelServer.start();
});
afterEach(() => server.reset());
afterAll(() => server.close());

/** The error a call rejects with; both SDKs' API errors carry `status` and `headers`. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error as { status?: number; headers?: Headers; message: string },
  );

const weatherSchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

describe('OpenAI Chat Completions', () => {
  it('answers with scripted text and usage', async () => {
    server.script({ text: 'Paris.', usage: { inputTokens: 120, outputTokens: 3, cachedInputTokens: 100 } });

    const completion = await openai().chat.completions.create({
      model: 'gpt-test',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Capital of France?' },
      ],
    });

    expect(completion.object).toBe('chat.completion');
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.choices[0]?.message.content).toBe('Paris.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 120,
      completion_tokens: 3,
      total_tokens: 123,
      prompt_tokens_details: { cached_tokens: 100 },
    });
    expect(server.requests).toMatchObject([
      {
        id: 1,
        format: 'openai',
        path: '/v1/chat/completions',
        model: 'gpt-test',
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Capital of France?' }],
        status: 200,
      },
    ]);
  });

  it('calls a tool, then answers from its result', async () => {
    server.script(
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] },
      { text: 'It is 4°C in Oslo.' },
    );
    const client = openai();
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: weatherSchema } },
    ];
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'developer', content: 'You report weather.' },
      { role: 'user', content: 'Weather in Oslo?' },
    ];

    const first = await client.chat.completions.create({ model: 'gpt-test', messages, tools, max_completion_tokens: 256 });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.id).toMatch(/^call_/);
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(first.usage?.prompt_tokens).toBeGreaterThan(0); // estimated when not scripted

    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: '4°C, drizzle' });
    const second = await client.chat.completions.create({ model: 'gpt-test', messages, tools, max_completion_tokens: 256 });

    expect(second.choices[0]?.message.content).toBe('It is 4°C in Oslo.');
    expect(server.requests[1]).toMatchObject({
      system: 'You report weather.',
      toolNames: ['get_weather'],
      maxTokens: 256,
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: '', toolCalls: [{ id: call.id, name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', toolCallId: call.id, content: '4°C, drizzle', isError: false },
      ],
    });
  });

  it('delivers malformed tool arguments verbatim', async () => {
    server.script({ toolCalls: [{ id: 'call_bad', name: 'get_weather', arguments: '{"city": "Oslo"' }] });

    const completion = await openai().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Weather?' }] });

    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call).toEqual({ id: 'call_bad', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Oslo"' } });
  });
});

describe('Anthropic Messages', () => {
  it('answers with scripted text and usage', async () => {
    server.script({ text: 'Paris.', usage: { inputTokens: 120, outputTokens: 3, cachedInputTokens: 100 } });

    const message = await anthropic().messages.create({
      model: 'claude-test',
      max_tokens: 1024,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Capital of France?' }],
    });

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-test',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Paris.' }],
      // Anthropic reports cache reads apart: 20 uncached + 100 cached = the 120 scripted.
      usage: { input_tokens: 20, cache_read_input_tokens: 100, output_tokens: 3 },
    });
    expect(message.id).toMatch(/^msg_/);
    expect(server.requests).toMatchObject([
      { id: 1, format: 'anthropic', path: '/v1/messages', model: 'claude-test', system: 'Be brief.', maxTokens: 1024, status: 200 },
    ]);
  });

  it('calls a tool, then answers from its result', async () => {
    server.script(
      { text: 'Let me check.', toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] },
      { text: 'It is 4°C in Oslo.' },
    );
    const client = anthropic();
    const tools: Anthropic.Tool[] = [
      { name: 'get_weather', description: 'Current weather', input_schema: weatherSchema as Anthropic.Tool.InputSchema },
    ];
    const system: Anthropic.TextBlockParam[] = [{ type: 'text', text: 'You report weather.' }];
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];

    const first = await client.messages.create({ model: 'claude-test', max_tokens: 1024, system, tools, messages });
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    if (toolUse?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(first.content[0]).toMatchObject({ type: 'text', text: 'Let me check.' });
    expect(toolUse).toMatchObject({ id: expect.stringMatching(/^toolu_/), name: 'get_weather', input: { city: 'Oslo' } });

    messages.push(
      { role: 'assistant', content: [{ type: 'text', text: 'Let me check.' }, { type: 'tool_use', id: toolUse.id, name: toolUse.name, input: toolUse.input }] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: toolUse.id, content: '4°C, drizzle' },
          { type: 'text', text: 'Answer in one line.' },
        ],
      },
    );
    const second = await client.messages.create({ model: 'claude-test', max_tokens: 1024, system, tools, messages });

    expect(second.content).toMatchObject([{ type: 'text', text: 'It is 4°C in Oslo.' }]);
    expect(server.requests[1]).toMatchObject({
      system: 'You report weather.',
      toolNames: ['get_weather'],
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: 'Let me check.', toolCalls: [{ id: toolUse.id, name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
        { role: 'tool', toolCallId: toolUse.id, content: '4°C, drizzle', isError: false },
        { role: 'user', content: 'Answer in one line.' },
      ],
    });
  });

  it('sends string arguments as an object, and refuses ones that are not a JSON object', async () => {
    server.script(
      { toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] },
      { toolCalls: [{ name: 'get_weather', arguments: '{"city": "Oslo"' }] },
    );
    const ask = () => anthropic().messages.create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Weather?' }] });

    expect((await ask()).content).toMatchObject([{ type: 'tool_use', input: { city: 'Oslo' } }]);
    const error = await failure(ask());
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect(error.message).toContain('script an object that violates the tool schema instead');
  });
});

// The same faults through both SDKs: what each client sees is what the real API would send.
const sdks = [
  {
    format: 'openai',
    ask: (options?: { timeout?: number }) =>
      openai(options).chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }),
    overloadedStatus: 503,
    errorType: (error: unknown) => (error as InstanceType<typeof OpenAI.APIError>).type,
  },
  {
    format: 'anthropic',
    ask: (options?: { timeout?: number }) =>
      anthropic(options).messages.create({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }),
    overloadedStatus: 529,
    errorType: (error: unknown) => (error as InstanceType<typeof Anthropic.APIError>).type,
  },
] as const;

describe.each(sdks)('faults through the $format SDK', ({ ask, overloadedStatus, errorType }) => {
  it('rate limits with the retry hints the SDK exposes', async () => {
    server.script({ fault: { kind: 'rate_limit', retryAfterSeconds: 7, retryAfterMs: 6500 } });

    const error = await failure(ask());

    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('7');
    expect(error.headers?.get('retry-after-ms')).toBe('6500');
    expect(server.requests[0]?.status).toBe(429);
  });

  it('fails with server errors, 500 by default', async () => {
    server.script({ fault: { kind: 'server_error' } }, { fault: { kind: 'server_error', status: 502 } });

    expect((await failure(ask())).status).toBe(500);
    expect((await failure(ask())).status).toBe(502);
  });

  it(`is overloaded with status ${overloadedStatus}`, async () => {
    server.script({ fault: { kind: 'overloaded' } });

    expect((await failure(ask())).status).toBe(overloadedStatus);
  });

  it('rejects a bad request and an unknown key', async () => {
    server.script({ fault: { kind: 'bad_request', message: 'tools[0].name is too long' } }, { fault: { kind: 'unauthorized' } });

    const badRequest = await failure(ask());
    expect(badRequest.status).toBe(400);
    expect(errorType(badRequest)).toBe('invalid_request_error');
    expect(badRequest.message).toContain('tools[0].name is too long');
    expect((await failure(ask())).status).toBe(401);
  });

  it('answers after the scripted latency', async () => {
    server.script({ text: 'Slow hello.', latencyMs: 150 });

    const started = performance.now();
    await ask();

    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("hangs until the client's timeout aborts the call", async () => {
    server.script({ fault: { kind: 'hang' } });

    const error = await failure(ask({ timeout: 200 }));

    expect(error.message).toMatch(/timed out/i);
    expect(server.requests[0]?.status).toBeUndefined(); // never answered
  });

  it('fails loudly when the script has run out', async () => {
    server.script({ text: 'The only reply.' });
    await ask();

    const error = await failure(ask());

    expect(error.status).toBe(500);
    expect(error.message).toContain('mock model server: no scripted reply left for request #2');
    expect(server.requests.map((request) => request.status)).toEqual([200, 500]);
  });
});

describe('answering from the conversation', () => {
  it('uses the handler once the queue is empty', async () => {
    server.script({ toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }] });
    server.handle((request) => {
      const last = lastMessage(request);
      if (last?.role === 'tool') return { text: `Weather: ${last.content} (after ${toolResults(request).length} tool call)` };
      return { text: 'Ask me about the weather.' };
    });
    const client = openai();
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Oslo?' }];

    const first = await client.chat.completions.create({ model: 'gpt-test', messages });
    messages.push(first.choices[0]!.message, { role: 'tool', tool_call_id: 'call_1', content: '4°C' });
    const second = await client.chat.completions.create({ model: 'gpt-test', messages });

    expect(second.choices[0]?.message.content).toBe('Weather: 4°C (after 1 tool call)');
    expect(server.queuedReplies).toBe(0);
  });

  it('reports a handler that throws as a 500 naming the request', async () => {
    server.handle(() => {
      throw new Error('no rule for this conversation');
    });

    const error = await failure(openai().chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }] }));

    expect(error.status).toBe(500);
    expect(error.message).toContain('the handler threw for request #1: no rule for this conversation');
  });
});

describe('protocol edges', () => {
  const post = (path: string, body: string) =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('streams a reply when asked, piece by piece, as each SDK reads it', async () => {
    const reply = { text: 'The tide turns twice a day.', toolCalls: [{ name: 'tide', arguments: { port: 'Brest' } }], streamDelayMs: 5 };
    server.script(reply, reply, reply);

    const seen: string[] = [];
    const chat = openai().chat.completions.stream({ model: 'gpt-test', messages: [{ role: 'user', content: 'Hi' }], stream_options: { include_usage: true } });
    chat.on('content', (delta) => seen.push(delta));
    const completion = await chat.finalChatCompletion();
    expect(completion.choices[0]!.message).toMatchObject({ content: reply.text, tool_calls: [{ function: { name: 'tide', arguments: '{"port":"Brest"}' } }] });
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(seen.length).toBeGreaterThan(1);
    expect(seen.join('')).toBe(reply.text);

    const message = await anthropic().messages.stream({ model: 'claude-test', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();
    expect(message.content).toMatchObject([{ type: 'text', text: reply.text }, { type: 'tool_use', name: 'tide', input: { port: 'Brest' } }]);
    expect(message.stop_reason).toBe('tool_use');

    const response = await openai().responses.stream({ model: 'gpt-test', input: 'Hi' }).finalResponse();
    expect(response.output_text).toBe(reply.text);
    expect(response.output.find((item) => item.type === 'function_call')).toMatchObject({ name: 'tide', arguments: '{"port":"Brest"}' });
    expect(server.requests.map((request) => [request.format, request.status])).toEqual([
      ['openai', 200],
      ['anthropic', 200],
      ['openai-responses', 200],
    ]);
  });

  it('rejects a body that is not JSON and logs it', async () => {
    const response = await post('/v1/chat/completions', '{"model": ');

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('not valid JSON') } });
    expect(server.requests).toMatchObject([{ format: 'openai', body: '{"model": ', status: 400 }]);
  });

  it('answers unknown paths with a 404 that says where to point the client', async () => {
    const response = await post('/chat/completions', '{}');

    expect(response.status).toBe(404);
    expect(JSON.stringify(await response.json())).toContain('server.openaiBaseUrl');
    expect(server.requests).toHaveLength(0);
  });

  it('rejects an invalid script where it is written', () => {
    expect(() => server.script({ fault: { kind: 'teapot' } } as never)).toThrow(/unknown fault kind "teapot"/);
  });

  it('drops hung requests when it closes', async () => {
    const own = await MockModelServer.start();
    own.script({ fault: { kind: 'hang' } });
    const call = new Anthropic({ apiKey: 'test', baseURL: own.anthropicBaseUrl, maxRetries: 0 }).messages.create({
      model: 'claude-test',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    await expect.poll(() => own.requests.length).toBe(1);

    await own.close();

    await expect(call).rejects.toBeInstanceOf(Anthropic.APIConnectionError);
  });
});

describe('MockModelServer keeping few requests', () => {
  it('keeps only the newest requests it was told to, and still counts them all', async () => {
    const mock = await MockModelServer.start({ keepRequests: 2 });
    try {
      mock.handle(() => ({ text: 'ok' }));
      const client = new OpenAI({ apiKey: 'k', baseURL: mock.openaiBaseUrl, maxRetries: 0 });
      for (const content of ['one', 'two', 'three']) await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content }] });
      expect(mock.requests.map((request) => request.messages[0]?.content)).toEqual(['two', 'three']);
      expect(mock.requestCount).toBe(3);
      mock.reset();
      expect([mock.requests.length, mock.requestCount]).toEqual([0, 0]);
    } finally {
      await mock.close();
    }
  });
});
