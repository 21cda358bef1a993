/**
 * A run far longer than its model's context window: 300 turns, each reading an
 * 8 KB chunk, on a model with a 32k-token window. Old results become short
 * references, then the oldest turns are summarised by the model itself; every
 * request the model server receives fits the window, the summarisation calls are
 * counted in the run's budget, and the run's record still holds every turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool, type TokenUsage } from '../src/index.ts';

const chunks = 300;
const window = 32_000;
const maxOutputTokens = 1_024;
const words = ['tide', 'moon', 'ocean', 'gravity', 'basin', 'current', 'shore', 'orbit', 'spring', 'neap', 'harbour', 'estuary', 'lunar', 'solar', 'bulge', 'wave'];

/** About 8 KB of prose-like text, different for every chunk. */
function chunkText(n: number): string {
  let text = `Chunk ${n} of ${chunks}. `;
  for (let i = 0; text.length < 8_000; i += 1) text += `The ${words[(n * 7 + i) % words.length]} meets the ${words[(n + i * 3) % words.length]} near mark ${n * 1_000 + i}. `;
  return text;
}

const readChunk = defineTool({ name: 'read_chunk', description: 'Reads one chunk of the survey.', input: z.object({ n: z.number().int() }), execute: ({ n }) => chunkText(n) });
const surveyor = defineAgent({
  name: 'surveyor',
  model: 'openai:gpt-4.1-mini',
  instructions: 'Read every chunk of the survey, one at a time, then report.',
  tools: [readChunk],
  maxTurns: chunks + 5,
  maxOutputTokens,
  budget: { tokens: 50_000_000 },
  context: { window },
});

/** What the model server counts: a quarter of the request body's characters, JSON and all. */
const billedInput = (request: MockRequest) => Math.ceil(JSON.stringify(request.body).length / 4);

describe('a conversation longer than the context window', () => {
  let mock: MockModelServer;
  let stack: TestStack;
  const billed: TokenUsage[] = [];

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request): ScriptedReply => {
      const usage = { inputTokens: billedInput(request), outputTokens: 40, cachedInputTokens: 0 };
      billed.push(usage);
      if (request.system.startsWith('You compress')) return { text: 'Chunks read so far: each describes tides, moons and marks; nothing is missing.', usage };
      const last = [...request.messages].reverse().find((message) => message.role === 'tool');
      const read = last ? Number(/^Chunk (\d+) of/.exec(last.content)?.[1]) : 0;
      return read < chunks ? { toolCalls: [{ name: 'read_chunk', arguments: { n: read + 1 } }], usage } : { text: `All ${chunks} chunks read.`, usage };
    });
    stack = await startTestStack({ agents: [surveyor], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('completes 300 turns of 8 KB results in a 32k window, every request within it, summaries in the budget', { timeout: 600_000 }, async () => {
    const { runId } = await stack.client.start('surveyor', 'Survey the tides.');
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: `All ${chunks} chunks read.`, turns: chunks + 1 });

    const requests = mock.requests;
    const summaries = requests.filter((request) => request.system.startsWith('You compress'));
    const turns = requests.filter((request) => !request.system.startsWith('You compress'));
    expect(turns).toHaveLength(chunks + 1);
    expect(summaries.length).toBeGreaterThan(0);
    for (const request of requests) expect(billedInput(request) + (request.maxTokens ?? 0)).toBeLessThanOrEqual(window);
    // Without compaction the last request would carry every chunk: 300 × 8 KB.
    const largest = Math.max(...requests.map(billedInput));
    console.log(`${requests.length} requests (${summaries.length} summaries); the largest ${largest.toLocaleString('en-US')} tokens of a ${window.toLocaleString('en-US')} window`);

    // Every call the server billed, summaries included, is in the run's usage and budget.
    const total = billed.reduce((sum, usage) => ({ input: sum.input + usage.inputTokens, output: sum.output + usage.outputTokens }), { input: 0, output: 0 });
    expect(result.usage).toMatchObject({ inputTokens: total.input, outputTokens: total.output });
    expect(result.budget?.used.tokens).toBe(total.input + total.output);

    // The record keeps every turn whole, and says where the context was compacted.
    const record = await stack.client.record(runId);
    expect(record.turns).toHaveLength(chunks + 1);
    expect(record.turns[0]!.toolCalls[0]!.result).toBe(chunkText(1));
    expect(record.compactions).toHaveLength(summaries.length);
    expect(record.usage).toEqual(result.usage);
  });
});
