/**
 * What prompt caching needs from an agent loop, over a 20-turn run on each wire:
 * every request resends the previous one unchanged and adds to its end, so a
 * provider's cache of the prefix hits; Anthropic's requests mark where the prefix
 * ends; and the run counts what the cache served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, toolResults, type MockRequest, type TestStack } from '@cairn/testing';
import { costOf, defaultPrices, defineAgent, defineTool, type ModelId } from '../src/index.ts';

const turns = 20;
const note = defineTool({ name: 'note', description: 'Takes a note.', input: z.object({ n: z.number() }), execute: ({ n }) => `noted ${n}` });
const agent = (name: string, model: ModelId) => defineAgent({ name, model, instructions: 'Take twenty notes, then stop.', tools: [note], maxTurns: turns + 1 });

/** The body of a request without Anthropic's cache markers, which move to the end of each new request. */
function withoutBreakpoints(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutBreakpoints);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'cache_control').map(([key, inner]) => [key, withoutBreakpoints(inner)]));
}

describe('prompt caching over a 20-turn run', () => {
  let mock: MockModelServer;
  let stack: TestStack;
  /** Input billed by the previous request of each conversation: what the next one reads from the cache. */
  const previousInput = new Map<string, number>();

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request: MockRequest) => {
      const done = toolResults(request).length;
      const inputTokens = 1_000 + 200 * done;
      const cached = previousInput.get(request.format) ?? 0;
      previousInput.set(request.format, inputTokens);
      const usage = { inputTokens, outputTokens: 20, cachedInputTokens: cached, cacheWriteInputTokens: request.format === 'anthropic' ? inputTokens - cached : 0 };
      return done < turns ? { toolCalls: [{ name: 'note', arguments: { n: done + 1 } }], usage } : { text: 'Twenty notes.', usage };
    });
    stack = await startTestStack({ agents: [agent('noter-openai', 'openai:gpt-4.1-mini'), agent('noter-anthropic', 'anthropic:claude-sonnet-4-5')], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it.each(['openai', 'anthropic'] as const)('on the %s wire, each request extends the last one unchanged, and the run counts the cache', { timeout: 120_000 }, async (wire) => {
    const { runId } = await stack.client.start(`noter-${wire}`, 'Begin.');
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', turns: turns + 1 });

    const requests = mock.requests.filter((request) => request.format === wire).map((request) => request.body as { messages: unknown[]; tools: unknown; system?: unknown });
    expect(requests).toHaveLength(turns + 1);
    for (const [index, body] of requests.entries()) {
      if (index === 0) continue;
      const before = withoutBreakpoints(requests[index - 1]) as typeof body;
      const now = withoutBreakpoints(body) as typeof body;
      expect(now.tools).toEqual(before.tools);
      expect(now.system).toEqual(before.system);
      // Byte for byte: the cache matches on the serialized prefix.
      expect(JSON.stringify(now.messages.slice(0, before.messages.length))).toBe(JSON.stringify(before.messages));
      expect(now.messages.length).toBeGreaterThan(before.messages.length);
    }
    if (wire === 'anthropic') {
      for (const body of requests) {
        const last = (body.messages.at(-1) as { content: { cache_control?: unknown }[] }).content.at(-1);
        expect(last?.cache_control).toEqual({ type: 'ephemeral' });
      }
    }

    // Every turn after the first read the conversation so far from the cache.
    const billed = Array.from({ length: turns + 1 }, (_, done) => 1_000 + 200 * done);
    const cached = billed.slice(0, -1).reduce((sum, tokens) => sum + tokens, 0);
    expect(result.usage.inputTokens).toBe(billed.reduce((sum, tokens) => sum + tokens, 0));
    expect(result.usage.cachedInputTokens).toBe(cached);
    expect(result.usage.cachedInputTokens / result.usage.inputTokens).toBeGreaterThan(0.85);
    if (wire === 'anthropic') expect(result.usage.cacheWriteInputTokens).toBe(result.usage.inputTokens - cached);
    else expect(result.usage.cacheWriteInputTokens ?? 0).toBe(0);
    // Priced call by call: reads at the cache rate, writes (Anthropic's) at the write rate.
    const price = defaultPrices[wire === 'openai' ? 'openai:gpt-4.1-mini' : 'anthropic:claude-sonnet-4-5']!;
    const expected = billed.reduce((sum, tokens, done) => {
      const read = done === 0 ? 0 : billed[done - 1]!;
      return sum + costOf({ inputTokens: tokens, outputTokens: 20, cachedInputTokens: read, cacheWriteInputTokens: wire === 'anthropic' ? tokens - read : 0 }, price);
    }, 0);
    expect(result.costUsd).toBeCloseTo(expected, 12);
  });
});
