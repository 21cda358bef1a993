/**
 * The model adapters with their real SDK clients, against the wire-compatible
 * mock model server: what a worker's `llm` activity will see from each provider.
 */
import { createServer } from 'node:net';
import { MockModelServer } from '@cairn/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CairnError, isCairnError, MissingApiKeyError } from '../src/errors.ts';
import type { Message } from '../src/messages.ts';
import { AnthropicProvider } from '../src/providers/anthropic.ts';
import { ModelCallError } from '../src/providers/model-errors.ts';
import { OpenAIProvider } from '../src/providers/openai.ts';
import type { ModelProvider, ModelRequest, ToolDescriptor } from '../src/providers/provider.ts';
import { resolveModel } from '../src/providers/registry.ts';

let server: MockModelServer;

beforeAll(async () => {
  server = await MockModelServer.start();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.close();
});

const weatherTool: ToolDescriptor = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const ask = (messages: Message[], extra: Partial<ModelRequest> = {}): ModelRequest => ({
  model: 'test-model',
  instructions: 'You are a weather bot.',
  messages,
  tools: [weatherTool],
  maxOutputTokens: 256,
  ...extra,
});

/** A port nothing listens on: bound, read, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The rejection of a call, for assertions on the error itself. */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the model call to fail');
}

interface AdapterCase {
  label: string;
  keyVariable: string;
  make(baseURL: string, apiKey?: string): ModelProvider;
  /** The status the mock answers `overloaded` with, and the kind it must map to. */
  overloaded: { status: number; kind: string };
}

const adapters: AdapterCase[] = [
  {
    label: 'OpenAI',
    keyVariable: 'OPENAI_API_KEY',
    make: (baseURL, apiKey = 'test-key') => new OpenAIProvider({ apiKey, baseURL }, {}),
    overloaded: { status: 503, kind: 'transient' },
  },
  {
    label: 'Anthropic',
    keyVariable: 'ANTHROPIC_API_KEY',
    make: (baseURL, apiKey = 'test-key') => new AnthropicProvider({ apiKey, baseURL }, {}),
    overloaded: { status: 529, kind: 'rate_limited' },
  },
];

describe.each(adapters)('$label adapter', (adapter) => {
  const baseURL = () => (adapter.label === 'OpenAI' ? server.openaiBaseUrl : server.anthropicBaseUrl);
  const provider = () => adapter.make(baseURL());

  it('does a text turn, sending instructions, tools and the output cap', async () => {
    server.script({ text: 'Hello! Ask me about the weather.', usage: { inputTokens: 40, outputTokens: 9 } });

    const response = await provider().generate(ask([{ role: 'user', content: 'Hi' }]));

    expect(response).toEqual({
      message: { role: 'assistant', content: 'Hello! Ask me about the weather.', toolCalls: [] },
      usage: { inputTokens: 40, outputTokens: 9, cachedInputTokens: 0 },
      stopReason: 'end_turn',
      modelVersion: 'test-model',
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      model: 'test-model',
      system: 'You are a weather bot.',
      messages: [{ role: 'user', content: 'Hi' }],
      toolNames: ['get_weather'],
      maxTokens: 256,
    });
    // Temporal owns retries: the SDK must not have retried on its own.
    expect(server.requests[0]!.headers['x-stainless-retry-count']).toBe('0');
  });

  it('does a tool round-trip, sending the results back in the provider’s shape', async () => {
    server.script(
      { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' } }, { name: 'get_weather', arguments: { city: 'Rome' } }] },
      { text: 'Paris 18°C; Rome unknown.' },
    );
    const llm = provider();
    const conversation: Message[] = [{ role: 'user', content: 'Weather in Paris and Rome?' }];

    const first = await llm.generate(ask(conversation));
    expect(first.stopReason).toBe('tool_calls');
    expect(first.message.toolCalls.map((call) => [call.name, JSON.parse(call.arguments)])).toEqual([
      ['get_weather', { city: 'Paris' }],
      ['get_weather', { city: 'Rome' }],
    ]);
    const [paris, rome] = first.message.toolCalls;
    conversation.push(
      first.message,
      { role: 'tool', toolCallId: paris!.id, toolName: 'get_weather', content: '18°C', isError: false },
      { role: 'tool', toolCallId: rome!.id, toolName: 'get_weather', content: 'Weather service down', isError: true },
    );

    const second = await llm.generate(ask(conversation));
    expect(second.message).toEqual({ role: 'assistant', content: 'Paris 18°C; Rome unknown.', toolCalls: [] });
    expect(second.stopReason).toBe('end_turn');

    const sent = server.requests[1]!;
    expect(sent.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { role: 'assistant', content: '', toolCalls: first.message.toolCalls },
      { role: 'tool', toolCallId: paris!.id, content: '18°C', isError: false },
      {
        role: 'tool',
        toolCallId: rome!.id,
        content: 'Weather service down',
        // Chat Completions has no error flag; the tool's error text carries it.
        isError: adapter.label === 'Anthropic',
      },
    ]);
    const body = sent.body as { messages: { role: string; content: unknown }[] };
    if (adapter.label === 'Anthropic') {
      // Both results in ONE user message, as Anthropic requires.
      expect(body.messages).toHaveLength(3);
      expect(body.messages[2]).toEqual({
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: paris!.id, content: '18°C' },
          // The end of the conversation so far: where the next call's cached prefix ends.
          { type: 'tool_result', tool_use_id: rome!.id, content: 'Weather service down', is_error: true, cache_control: { type: 'ephemeral' } },
        ],
      });
    } else {
      expect(body.messages.slice(-2)).toEqual([
        { role: 'tool', tool_call_id: paris!.id, content: '18°C' },
        { role: 'tool', tool_call_id: rome!.id, content: 'Weather service down' },
      ]);
    }
  });

  it('reports usage including cached input tokens', async () => {
    server.script({ text: 'ok', usage: { inputTokens: 1200, outputTokens: 3, cachedInputTokens: 1000 } });
    const response = await provider().generate(ask([{ role: 'user', content: 'Hi' }]));
    expect(response.usage).toEqual({ inputTokens: 1200, outputTokens: 3, cachedInputTokens: 1000 });
  });

  it('429 with retry-after: 2 → rate_limited, retry after 2000 ms', async () => {
    server.script({ fault: { kind: 'rate_limit', retryAfterSeconds: 2 } });
    const error = await failureOf(provider().generate(ask([{ role: 'user', content: 'Hi' }])));
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ kind: 'rate_limited', status: 429, retryAfterMs: 2000, provider: adapter.label });
    expect(server.requests).toHaveLength(1);
  });

  it('500 → transient', async () => {
    server.script({ fault: { kind: 'server_error' } });
    const error = await failureOf(provider().generate(ask([{ role: 'user', content: 'Hi' }])));
    expect(error).toMatchObject({ name: 'ModelCallError', kind: 'transient', status: 500 });
    expect(server.requests).toHaveLength(1);
  });

  it(`overloaded → HTTP ${adapter.overloaded.status}, ${adapter.overloaded.kind}`, async () => {
    server.script({ fault: { kind: 'overloaded' } });
    const error = await failureOf(provider().generate(ask([{ role: 'user', content: 'Hi' }])));
    expect(error).toMatchObject({ kind: adapter.overloaded.kind, status: adapter.overloaded.status });
  });

  it('400 → fatal, with a message a person can act on', async () => {
    server.script({ fault: { kind: 'bad_request', message: "tools.0: schema for 'get_weather' is invalid" } });
    const error = (await failureOf(provider().generate(ask([{ role: 'user', content: 'Hi' }])))) as ModelCallError;
    expect(error.kind).toBe('fatal');
    expect(error.message).toContain(`${adapter.label} rejected the call with HTTP 400`);
    expect(error.message).toContain("tools.0: schema for 'get_weather' is invalid");
    expect(error.message).toContain('check the model name, tool schemas and max tokens');
  });

  it('401 → fatal, naming the key variable', async () => {
    server.script({ fault: { kind: 'unauthorized' } });
    const refused = (await failureOf(adapter.make(baseURL(), 'wrong-key').generate(ask([{ role: 'user', content: 'Hi' }])))) as ModelCallError;
    expect(refused).toMatchObject({ kind: 'fatal', status: 401 });
    expect(refused.message).toContain(adapter.keyVariable);
  });

  it('connection refused → transient', async () => {
    const port = await closedPort();
    const base = adapter.label === 'OpenAI' ? `http://127.0.0.1:${port}/v1` : `http://127.0.0.1:${port}`;
    const error = await failureOf(adapter.make(base).generate(ask([{ role: 'user', content: 'Hi' }])));
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ kind: 'transient' });
    expect((error as Error).message).toContain(`Could not reach ${adapter.label} at ${base}`);
  });

  it('a hang aborted through the signal surfaces as an abort, not a model error', async () => {
    server.script({ fault: { kind: 'hang' } });
    const controller = new AbortController();
    const call = provider().generate(ask([{ role: 'user', content: 'Hi' }], { signal: controller.signal }));
    await expect.poll(() => server.requests.length).toBe(1);
    controller.abort();
    const error = await failureOf(call);
    expect(error).not.toBeInstanceOf(ModelCallError);
    expect(error).toMatchObject({ name: 'AbortError' });
  });

  it('an abort with a reason rethrows that reason (e.g. Temporal’s cancellation)', async () => {
    server.script({ fault: { kind: 'hang' } });
    const controller = new AbortController();
    const reason = new Error('Activity cancelled');
    const call = provider().generate(ask([{ role: 'user', content: 'Hi' }], { signal: controller.signal }));
    await expect.poll(() => server.requests.length).toBe(1);
    controller.abort(reason);
    expect(await failureOf(call)).toBe(reason);
  });

  it('times out as transient when the server takes longer than timeoutMs', async () => {
    server.script({ fault: { kind: 'hang' } });
    const llm =
      adapter.label === 'OpenAI'
        ? new OpenAIProvider({ apiKey: 'k', baseURL: baseURL(), timeoutMs: 200 }, {})
        : new AnthropicProvider({ apiKey: 'k', baseURL: baseURL(), timeoutMs: 200 }, {});
    const error = await failureOf(llm.generate(ask([{ role: 'user', content: 'Hi' }])));
    expect(error).toMatchObject({ name: 'ModelCallError', kind: 'transient' });
    expect((error as Error).message).toContain('did not answer in time');
  });
});

describe('OpenAI-specific', () => {
  it('keeps malformed tool-call arguments verbatim', async () => {
    server.script({ toolCalls: [{ name: 'get_weather', arguments: '{"city": "Par' }] });
    const response = await new OpenAIProvider({ baseURL: server.openaiBaseUrl }, {}).generate(ask([{ role: 'user', content: 'Hi' }]));
    expect(response.message.toolCalls[0]!.arguments).toBe('{"city": "Par');
  });

  it('needs no key for a custom base URL, and sends max_tokens when asked', async () => {
    server.script({ text: 'ok' });
    await new OpenAIProvider({ baseURL: server.openaiBaseUrl, maxTokensField: 'max_tokens' }, {}).generate(ask([{ role: 'user', content: 'Hi' }]));
    const body = server.requests[0]!.body as Record<string, unknown>;
    expect(body.max_tokens).toBe(256);
    expect(body).not.toHaveProperty('max_completion_tokens');
    expect(server.requests[0]!.maxTokens).toBe(256);
  });
});

describe('Anthropic-specific', () => {
  it('continues a conversation whose malformed arguments came from another provider', async () => {
    server.script({ text: 'Sorry, let me retry.' });
    const llm = new AnthropicProvider({ apiKey: 'k', baseURL: server.anthropicBaseUrl }, {});
    const response = await llm.generate(
      ask([
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{"city": "Par' }] },
        { role: 'tool', toolCallId: 'call_abc', toolName: 'get_weather', content: 'Invalid arguments: not JSON', isError: true },
        { role: 'user', content: 'Try again.' },
      ]),
    );
    expect(response.message.content).toBe('Sorry, let me retry.');
    expect(server.requests[0]!.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_abc', name: 'get_weather', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'call_abc', content: 'Invalid arguments: not JSON', isError: true },
      { role: 'user', content: 'Try again.' },
    ]);
    // The result and the follow-up share one user message.
    expect((server.requests[0]!.body as { messages: unknown[] }).messages).toHaveLength(3);
  });

  it('marks the tools, the instructions and the conversation so far for the prompt cache, and counts cache writes', async () => {
    server.script({ text: 'Sunny.', usage: { inputTokens: 5_000, outputTokens: 4, cachedInputTokens: 3_000, cacheWriteInputTokens: 1_500 } });
    const llm = new AnthropicProvider({ apiKey: 'k', baseURL: server.anthropicBaseUrl }, {});
    const response = await llm.generate(
      ask([
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'get_weather', content: '18°C', isError: false },
      ]),
    );
    const body = server.requests[0]!.body as { system: unknown; tools: { name: string; cache_control?: unknown }[]; messages: { content: { type: string; cache_control?: unknown }[] }[] };
    const ephemeral = { type: 'ephemeral' };
    // The documented places: the last tool, the system prompt, and the last block of the conversation.
    expect(body.tools.map((tool) => tool.cache_control)).toEqual([ephemeral]);
    expect(body.system).toEqual([{ type: 'text', text: 'You are a weather bot.', cache_control: ephemeral }]);
    expect(body.messages.flatMap((message) => message.content.map((block) => [block.type, block.cache_control]))).toEqual([
      ['text', undefined],
      ['tool_use', undefined],
      ['tool_result', ephemeral],
    ]);
    expect(response.usage).toEqual({ inputTokens: 5_000, outputTokens: 4, cachedInputTokens: 3_000, cacheWriteInputTokens: 1_500 });
  });
});

describe('missing keys', () => {
  it('OpenAI without a key or base URL → MissingApiKeyError', () => {
    expect(() => new OpenAIProvider({}, {})).toThrow(MissingApiKeyError);
    expect(() => resolveModel('openai:gpt-4.1', {})).toThrow(/OPENAI_API_KEY is not set/);
  });

  it('Anthropic without a key → MissingApiKeyError, even with a base URL', () => {
    expect(() => new AnthropicProvider({}, { ANTHROPIC_BASE_URL: server.anthropicBaseUrl })).toThrow(MissingApiKeyError);
    const error = (() => {
      try {
        resolveModel('anthropic:claude-test', {});
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(MissingApiKeyError);
    expect((error as CairnError).hint).toContain('export ANTHROPIC_API_KEY=');
  });
});

describe('resolveModel', () => {
  it('resolves provider:model and calls the model through the environment’s settings', async () => {
    const env = { OPENAI_BASE_URL: server.openaiBaseUrl, ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: server.anthropicBaseUrl };
    server.script({ text: 'from openai' }, { text: 'from anthropic' });

    const openai = resolveModel('openai:gpt-4.1-mini', env);
    const anthropic = resolveModel('anthropic:claude-test', env);
    expect(openai.provider.name).toBe('openai');
    expect(anthropic.provider.name).toBe('anthropic');

    expect((await openai.provider.generate(ask([{ role: 'user', content: 'Hi' }], { model: openai.model }))).message.content).toBe('from openai');
    expect((await anthropic.provider.generate(ask([{ role: 'user', content: 'Hi' }], { model: anthropic.model }))).message.content).toBe(
      'from anthropic',
    );
    expect(server.requests.map((request) => [request.format, request.model])).toEqual([
      ['openai', 'gpt-4.1-mini'],
      ['anthropic', 'claude-test'],
    ]);
  });

  it('keeps everything after the first colon as the model name', () => {
    expect(resolveModel('openai:ft:gpt-4o-mini:acme::abc123', { OPENAI_API_KEY: 'k' }).model).toBe('ft:gpt-4o-mini:acme::abc123');
  });

  it('reuses one provider per provider and settings', () => {
    const env = { OPENAI_API_KEY: 'k1' };
    expect(resolveModel('openai:a', env).provider).toBe(resolveModel('openai:b', { ...env }).provider);
    expect(resolveModel('openai:a', env).provider).not.toBe(resolveModel('openai:a', { OPENAI_API_KEY: 'k2' }).provider);
    expect(resolveModel('openai:a', env).provider).not.toBe(resolveModel('anthropic:a', { ANTHROPIC_API_KEY: 'k1' }).provider);
  });

  it('rejects an unknown provider, listing the known ones', () => {
    const error = (() => {
      try {
        resolveModel('gemini:gemini-2.5-pro', {});
      } catch (caught) {
        return caught;
      }
    })() as CairnError;
    expect(isCairnError(error)).toBe(true);
    expect(error.message).toBe("Unknown model provider 'gemini' in model id 'gemini:gemini-2.5-pro'. Known providers: openai, anthropic.");
    expect(error.hint).toContain("defineConfig({ providers: [defineProvider({ id: 'gemini', ... })] })");
    expect(() => resolveModel('gpt-4.1', {})).toThrow(/Unknown model provider 'gpt-4.1'/);
    expect(() => resolveModel('toString:x', {})).toThrow(/Unknown model provider/);
  });

  it('rejects a model id without a model name', () => {
    expect(() => resolveModel('openai:', { OPENAI_API_KEY: 'k' })).toThrow(/names no model/);
  });
});
