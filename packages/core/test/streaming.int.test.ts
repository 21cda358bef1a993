/**
 * Streaming to the person: a run started with `stream` has its model calls stream
 * from the provider and publish the text so far in their heartbeats, where a client
 * reads it while the answer is being written. History keeps only the final
 * message: a streamed run's history is the size of the same run unstreamed.
 */
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { defineAgent, type ModelId } from '../src/index.ts';

const tale = Array.from({ length: 30 }, (_, n) => `Sentence ${n + 1} of the tale, in which the tide turns again.`).join(' ');
const cutOffUsage = { inputTokens: 500, outputTokens: 50 };
const narrator = (name: string, model: ModelId) => defineAgent({ name, model, instructions: 'Tell the tale.' });

describe('streaming', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    // About 150 pieces, 20 ms apart: three seconds of writing.
    mock.handle((request) => {
      if (!request.system.startsWith('Tell the tale, slowly')) return { text: tale, streamDelayMs: 20 };
      // The first attempt writes for fourteen seconds: its time limit cuts it off; the retry answers at once.
      const attempts = mock.requests.filter((earlier) => earlier.system === request.system && earlier.format === request.format).length;
      return attempts === 1 ? { text: tale, streamDelayMs: 100, usage: cutOffUsage } : { text: 'The short version.', usage: cutOffUsage };
    });
    stack = await startTestStack({
      agents: [
        narrator('narrator-openai', 'openai:gpt-4.1-mini'),
        narrator('narrator-anthropic', 'anthropic:claude-sonnet-4-5'),
        defineAgent({ name: 'slow-openai', model: 'openai:gpt-4.1-mini', instructions: 'Tell the tale, slowly.' }),
        defineAgent({ name: 'slow-anthropic', model: 'anthropic:claude-sonnet-4-5', instructions: 'Tell the tale, slowly.' }),
      ],
      mock,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it.each(['openai', 'anthropic'] as const)('on the %s wire, a client reads the answer while it is written, and history does not grow with it', { timeout: 60_000 }, async (wire) => {
    const { runId } = await stack.client.start(`narrator-${wire}`, 'Tell it.', { stream: true });
    const seen: number[] = [];
    let done = false;
    const result = stack.client.result(runId).finally(() => (done = true));
    while (!done) {
      const progress = await stack.client.streamedText(runId);
      if (progress) {
        seen.push(progress.chars);
        expect(tale.startsWith(progress.tail) || tale.includes(progress.tail)).toBe(true);
        expect(progress.turn).toBe(1);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await result).output).toBe(tale);
    // Partial text was there to read before the answer was complete, and it grew.
    const partial = seen.filter((chars) => chars > 0 && chars < tale.length);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    expect(new Set(partial).size).toBeGreaterThanOrEqual(2);
    const request = mock.requests.at(-1)!.body as { stream?: boolean };
    expect(request.stream).toBe(true);

    const unstreamed = await stack.client.start(`narrator-${wire}`, 'Tell it.');
    expect((await stack.client.result(unstreamed)).output).toBe(tale);
    const size = async (id: string) => temporal.api.history.v1.History.encode(await stack.temporal.workflow.getHandle(id).fetchHistory()).finish().length;
    const [streamedBytes, unstreamedBytes] = [await size(runId), await size(unstreamed.runId)];
    console.log(`${wire}: history of the streamed run ${streamedBytes} bytes, unstreamed ${unstreamedBytes} bytes (answer ${tale.length} characters, read ${seen.length} times while written)`);
    // The only difference is the `stream` flag itself, in the run's input and its model call's.
    expect(Math.abs(streamedBytes - unstreamedBytes)).toBeLessThan(200);
  });

  it.each(['openai', 'anthropic'] as const)('on the %s wire, a stream cut off mid-way is retried, and what it was billed for is counted', { timeout: 60_000 }, async (wire) => {
    const { runId } = await stack.client.start(`slow-${wire}`, 'Tell it.', { stream: true, modelCallTimeoutMs: 6_000 });
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: 'The short version.', turns: 1 });
    const [cutOff, retry] = mock.requests.filter((request) => request.system.startsWith('Tell the tale, slowly') && request.format === wire);
    expect(cutOff?.status).toBe(200);
    expect(retry).toBeDefined();
    // The retry's own usage, plus the cut-off attempt's: its input as Anthropic reported it (OpenAI
    // reports nothing before the end, so Cairn's estimate), and the text it had written.
    const interrupted = { input: result.usage.inputTokens - cutOffUsage.inputTokens, output: result.usage.outputTokens - cutOffUsage.outputTokens };
    if (wire === 'anthropic') expect(interrupted.input).toBe(cutOffUsage.inputTokens);
    else expect(interrupted.input).toBeGreaterThan(0);
    expect(interrupted.output).toBeGreaterThan(0);
    expect(interrupted.output).toBeLessThan(Math.ceil(tale.length / 4));
    expect(result.budget?.used.tokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
    console.log(`${wire}: the cut-off attempt counted as ${interrupted.input} input and ${interrupted.output} output tokens`);
  });
});
