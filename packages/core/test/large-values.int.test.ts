/**
 * Large values take the claim check: a run input of megabytes is stored in the
 * blob store by the client and referenced from history, as tool results are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { defineAgent } from '../src/index.ts';

const reader = defineAgent({ name: 'reader', model: 'openai:gpt-test', instructions: 'Summarise what you are given.', budget: { tokens: 10_000_000 } });

describe('large values', () => {
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

  it('runs on a 5 MiB input, which reaches the model whole while history holds only its key', { timeout: 120_000 }, async () => {
    mock.script({ text: 'A long document about tides.', usage: { inputTokens: 1_000_000, outputTokens: 10 } });
    const input = `Summarise this log.\n${'tide table line 0123456789 high water low water\n'.repeat(110_000)}`;
    expect(Buffer.byteLength(input)).toBeGreaterThan(5 * 1024 * 1024);
    const { runId } = await stack.client.start('reader', input);
    expect(await stack.client.result(runId)).toMatchObject({ status: 'completed', output: 'A long document about tides.' });

    expect(mock.requests[0]!.messages[0]!.content).toBe(input);
    const history = await stack.temporal.workflow.getHandle(runId).fetchHistory();
    const bytes = Buffer.byteLength(JSON.stringify(history));
    console.log(`a ${(Buffer.byteLength(input) / 1024 / 1024).toFixed(1)} MiB input: ${(bytes / 1024).toFixed(1)} KiB of history in all`);
    expect(bytes).toBeLessThan(64 * 1024);
  });
});
