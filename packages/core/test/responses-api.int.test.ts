/**
 * OpenAI's Responses API, for the models only it serves (here `gpt-5-codex`): a
 * tool turn and an answer, streamed and not, and structured output, through the
 * real `openai` client against the mock's `/v1/responses`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool } from '../src/index.ts';

const grep = defineTool({ name: 'grep', description: 'Searches the code.', input: z.object({ pattern: z.string() }), execute: ({ pattern }) => `src/tides.ts:12: export function ${pattern}()` });
const coder = defineAgent({ name: 'coder', model: 'openai:gpt-5-codex', instructions: 'Find code.', tools: [grep] });
const reviewer = defineAgent({ name: 'reviewer', model: 'openai:gpt-5-codex', instructions: 'Review, as JSON.', output: z.object({ verdict: z.enum(['ok', 'fix']), notes: z.array(z.string()) }) });
const answer = `Found it: ${'the tide function lives in src/tides.ts, line 12. '.repeat(8)}`;

function model(request: MockRequest): ScriptedReply {
  if (request.system === 'Review, as JSON.') return { text: JSON.stringify({ verdict: 'fix', notes: ['name the units'] }) };
  const [result] = toolResults(request);
  return result ? { text: answer, streamDelayMs: 15 } : { toolCalls: [{ name: 'grep', arguments: { pattern: 'highTide' } }] };
}

describe('the Responses API', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({ agents: [coder, reviewer], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it.each([false, true])('runs a tool turn and an answer (streamed: %s), with the call and its result paired by call_id', { timeout: 60_000 }, async (stream) => {
    const before = mock.requests.length;
    const { runId } = await stack.client.start('coder', 'Where is highTide?', { stream });
    let partial = false;
    let done = false;
    const result = stack.client.result(runId).finally(() => (done = true));
    while (stream && !done) {
      const progress = await stack.client.streamedText(runId);
      if (progress && progress.chars > 0 && progress.chars < answer.length) partial = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await result).toMatchObject({ status: 'completed', output: answer, turns: 2 });
    expect(partial).toBe(stream);

    const requests = mock.requests.slice(before);
    expect(requests.map((request) => request.format)).toEqual(['openai-responses', 'openai-responses']);
    const second = requests[1]!.body as { instructions: string; store: boolean; stream?: boolean; input: { type?: string; call_id?: string }[] };
    expect(second).toMatchObject({ instructions: 'Find code.', store: false });
    expect(Boolean(second.stream)).toBe(stream);
    const call = second.input.find((item) => item.type === 'function_call');
    const output = second.input.find((item) => item.type === 'function_call_output');
    expect(call?.call_id).toBeTruthy();
    expect(output).toMatchObject({ call_id: call!.call_id, output: 'src/tides.ts:12: export function highTide()' });
    expect((await result).usage.inputTokens).toBeGreaterThan(0);
  });

  it('asks for structured output as a JSON-schema text format', { timeout: 60_000 }, async () => {
    const run = await stack.client.start(reviewer, 'Review tides.ts.');
    expect((await stack.client.result(run)).value).toEqual({ verdict: 'fix', notes: ['name the units'] });
    expect(mock.requests.at(-1)!.body).toMatchObject({ text: { format: { type: 'json_schema', name: 'final_answer', schema: { properties: { verdict: { enum: ['ok', 'fix'] } } } } } });
  });
});
