/**
 * A provider Cairn does not ship, defined in this file with `defineProvider` and
 * nothing else: a worker serves an agent on it end to end (a tool call, then an
 * answer), prices it from the definition and estimates its tokens with the
 * definition's own estimator. Its client here is a tiny scripted model of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { costOf, defineAgent, defineConfig, defineProvider, defineTool, InvalidDefinitionError, type ModelRequest, type TokenUsage } from '../src/index.ts';

const usage: TokenUsage = { inputTokens: 120, outputTokens: 30, cachedInputTokens: 0 };
const requests: ModelRequest[] = [];
let estimates = 0;

/** Answers like a model would: asks for the tool, then reads its result. */
const parrot = defineProvider({
  id: 'parrot',
  label: 'Parrot',
  apiKeyVariable: 'PARROT_API_KEY',
  prices: { 'polly-1': { inputPerMillion: 10, outputPerMillion: 20 } },
  estimateInputTokens: ({ messages }) => {
    estimates += 1;
    return 100 * messages.length;
  },
  create: () => ({
    name: 'parrot',
    async generate(request) {
      requests.push(request);
      const result = request.messages.find((message) => message.role === 'tool');
      if (!result) return { message: { role: 'assistant', content: '', toolCalls: [{ id: 'p1', name: 'shout', arguments: JSON.stringify({ word: 'cracker' }) }] }, usage, stopReason: 'tool_calls' };
      return { message: { role: 'assistant', content: `Polly says ${result.content}.`, toolCalls: [] }, usage, stopReason: 'end_turn' };
    },
  }),
});

const shout = defineTool({ name: 'shout', description: 'Shouts a word.', input: z.object({ word: z.string() }), execute: ({ word }) => word.toUpperCase() });
const polly = defineAgent({ name: 'polly', model: 'parrot:polly-1', instructions: 'Repeat after me.', tools: [shout], budget: { tokens: 20_000 }, maxOutputTokens: 200 });

describe('a provider defined outside Cairn', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [polly], providers: [parrot], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('serves an agent end to end, priced and estimated by its definition', async () => {
    const { runId } = await stack.client.start('polly', 'Say cracker.');
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: 'Polly says CRACKER.', turns: 2 });
    expect(requests.map((request) => request.model)).toEqual(['polly-1', 'polly-1']);
    expect(result.costUsd).toBeCloseTo(2 * costOf(usage, { inputPerMillion: 10, outputPerMillion: 20 }), 12);
    // A provider's own estimator is asked before every call (Cairn's byte bound does not hold for it).
    expect(estimates).toBe(2);
    expect(mock.requests).toHaveLength(0);
  });

  it('is refused by defineConfig when an agent names a provider nobody defined', () => {
    expect(() => defineConfig({ agents: [polly] })).toThrow(InvalidDefinitionError);
    expect(() => defineConfig({ agents: [polly] })).toThrow("Agent 'polly': Unknown model provider 'parrot' in model id 'parrot:polly-1'. Known providers: openai, anthropic.");
    expect(() => defineConfig({ agents: [polly], providers: [parrot, parrot] })).toThrow("Two providers have the id 'parrot': give yours another id.");
    expect(() => defineConfig({ agents: [polly], providers: [defineProvider({ ...parrot, id: 'openai' }), parrot] })).toThrow("Two providers have the id 'openai' (one is built in): give yours another id.");
    expect(() => defineProvider({ id: 'Not An Id', create: parrot.create })).toThrow(/Invalid provider id "Not An Id"/);
    expect(defineConfig({ agents: [polly], providers: [parrot] }).providers).toEqual([parrot]);
  });
});
