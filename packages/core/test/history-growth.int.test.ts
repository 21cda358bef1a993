import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, eventually, startTestStack, toolResults, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool } from '../src/index.ts';

const turns = 100;
const resultBytes = 4096;

const bigResult = defineTool({
  name: 'read_chunk',
  description: 'Reads a 4 KB chunk.',
  input: z.object({ index: z.number().int() }),
  execute: ({ index }) => `chunk ${index} `.padEnd(resultBytes, 'x'),
});

const reader = defineAgent({ name: 'reader', model: 'openai:gpt-test', instructions: 'Read every chunk.', tools: [bigResult], maxTurns: turns + 1, budget: { tokens: 20_000_000 } });

/** Bytes of history each turn added; a turn begins where its model call is scheduled. */
function bytesPerTurn(history: temporal.api.history.v1.IHistory): number[] {
  const perTurn: number[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name === 'callModel') perTurn.push(0);
    if (perTurn.length > 0) perTurn[perTurn.length - 1]! += temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
  }
  return perTurn;
}

const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

describe('history growth', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [reader], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it(`stays flat per turn over a ${turns}-turn run with 4 KB tool results`, { timeout: 180_000 }, async () => {
    mock.handle((request) => {
      const done = toolResults(request).length;
      return done < turns ? { toolCalls: [{ name: 'read_chunk', arguments: { index: done } }] } : { text: `Read ${done} chunks.` };
    });
    const { runId } = await stack.client.start('reader', 'Read all chunks.');
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: `Read ${turns} chunks.`, turns: turns + 1 });
    // The model saw the whole conversation each time, though history never carried it.
    expect(mock.requests.at(-1)!.messages).toHaveLength(1 + 2 * turns);

    const history = await stack.temporal.workflow.getHandle(runId).fetchHistory();
    const perTurn = bytesPerTurn(history).slice(0, turns);
    const first = average(perTurn.slice(0, 10));
    const last = average(perTurn.slice(-10));
    const total = perTurn.reduce((sum, value) => sum + value, 0);
    console.log(`history bytes per turn: first 10 turns ${first.toFixed(0)} B, last 10 turns ${last.toFixed(0)} B; ${turns} turns ${total} B in all`);
    expect(perTurn).toHaveLength(turns);
    expect(last / first).toBeLessThan(1.1);
    // Far below the 4 KB each tool result weighs: results stay out of history.
    expect(last).toBeLessThan(resultBytes);
  });

  it('continues as new, carrying the conversation, turn count, usage and budget into the next history', async () => {
    mock.reset();
    mock.handle((request) => {
      const done = toolResults(request).length;
      return done < 7 ? { toolCalls: [{ name: 'read_chunk', arguments: { index: done } }], usage: { inputTokens: 10, outputTokens: 5 } } : { text: `Read ${done} chunks.`, usage: { inputTokens: 10, outputTokens: 5 } };
    });
    const { runId } = await stack.client.start('reader', 'Read all chunks.', { turnsPerHistory: 3 });
    const result = await stack.client.result(runId);

    expect(result).toMatchObject({ status: 'completed', output: 'Read 7 chunks.', turns: 8 });
    expect(result.usage).toEqual({ inputTokens: 80, outputTokens: 40, cachedInputTokens: 0 });
    expect(result.budget!.used.tokens).toBe(120);
    // The model saw one unbroken conversation across the three histories.
    expect(mock.requests.at(-1)!.messages).toHaveLength(1 + 2 * 7);
    // Three histories under one run id; visibility catches up with the last one shortly after it ends.
    const runs = await eventually(async () => {
      const names: string[] = [];
      for await (const info of stack.temporal.workflow.list({ query: `WorkflowId = '${runId}'` })) names.push(info.status.name);
      return names.includes('RUNNING') ? undefined : names.sort();
    }, 'visibility to show the last history closed');
    expect(runs).toEqual(['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
  });
});
