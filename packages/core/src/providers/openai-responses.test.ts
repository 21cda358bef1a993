import type { Response } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { OpenAIProvider } from './openai.ts';
import { fromResponsesResponse, openAIApiFor, toResponsesInput } from './openai-responses.ts';

describe('openAIApiFor', () => {
  it('sends the models only the Responses API serves there, the rest to Chat Completions, unless one is chosen', () => {
    expect(openAIApiFor('gpt-5-codex', undefined)).toBe('responses');
    expect(openAIApiFor('o3-pro', undefined)).toBe('responses');
    expect(openAIApiFor('gpt-4.1-mini', undefined)).toBe('chat');
    expect(openAIApiFor('gpt-4.1-mini', 'responses')).toBe('responses');
  });

  it('refuses an OPENAI_API that names neither', () => {
    expect(() => new OpenAIProvider({}, { OPENAI_API_KEY: 'k', OPENAI_API: 'assistants' })).toThrow(/OPENAI_API is "assistants"; it must be 'chat'/);
  });
});

describe('toResponsesInput', () => {
  it('makes each tool call an item of its own, and its result an output with the same call_id', () => {
    expect(
      toResponsesInput([
        { role: 'user', content: 'Where?' },
        { role: 'assistant', content: 'Looking.', toolCalls: [{ id: 'call_1', name: 'grep', arguments: '{"pattern":"x"}' }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'grep', content: 'found', isError: false },
      ]),
    ).toEqual([
      { role: 'user', content: 'Where?' },
      { role: 'assistant', content: 'Looking.' },
      { type: 'function_call', call_id: 'call_1', name: 'grep', arguments: '{"pattern":"x"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'found' },
    ]);
  });
});

describe('fromResponsesResponse', () => {
  const response = (extra: Partial<Response>): Response =>
    ({ id: 'resp_1', object: 'response', model: 'gpt-5-codex-2025', status: 'completed', output: [], usage: { input_tokens: 100, output_tokens: 20, input_tokens_details: { cached_tokens: 40 } }, ...extra }) as unknown as Response;

  it('reads text, function calls and usage (cached input counted)', () => {
    const mapped = fromResponsesResponse(
      response({
        output: [
          { type: 'message', id: 'm', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Here.', annotations: [] }] },
          { type: 'function_call', id: 'fc', call_id: 'call_9', name: 'grep', arguments: '{}', status: 'completed' },
        ] as Response['output'],
      }),
    );
    expect(mapped).toEqual({
      message: { role: 'assistant', content: 'Here.', toolCalls: [{ id: 'call_9', name: 'grep', arguments: '{}' }] },
      usage: { inputTokens: 100, outputTokens: 20, cachedInputTokens: 40 },
      stopReason: 'tool_calls',
      modelVersion: 'gpt-5-codex-2025',
    });
  });

  it('says an answer cut off at the output cap was cut off', () => {
    expect(fromResponsesResponse(response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })).stopReason).toBe('max_tokens');
  });
});
