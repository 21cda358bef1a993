import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { z } from 'zod';
import { defineAgent, defineTool, type AgentDefinition } from '../src/index.ts';
import { countTokens } from '../src/budget/count-tokens.ts';

/** What a real provider would report as input: its own count of the request (here, the same tokenizer, no margin). */
function actualInputTokens(request: MockRequest): number {
  const parts = [request.system, ...request.messages.map((message) => ('toolCalls' in message ? message.content + JSON.stringify(message.toolCalls) : message.content))];
  return parts.reduce((sum, part) => sum + countTokens(part), 0);
}

/** A deterministic random generator, so a failing shape can be reproduced from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

// Four levels: level0 delegates to level1, ... level3 delegates to nobody.
const level3 = defineAgent({ name: 'level3', model: 'openai:gpt-test', instructions: 'level 3', maxOutputTokens: 2_000 });
const level2 = defineAgent({ name: 'level2', model: 'openai:gpt-test', instructions: 'level 2', subAgents: [level3], maxConcurrentChildren: 6, maxOutputTokens: 2_000 });
const level1 = defineAgent({ name: 'level1', model: 'openai:gpt-test', instructions: 'level 1', subAgents: [level2], maxConcurrentChildren: 6, maxOutputTokens: 2_000 });
const level0 = defineAgent({ name: 'level0', model: 'openai:gpt-test', instructions: 'level 0', subAgents: [level1], maxConcurrentChildren: 6, maxOutputTokens: 2_000, maxTurns: 6 });

const lookup = defineTool({ name: 'lookup', description: 'Looks a topic up.', input: z.object({ topic: z.string() }), execute: ({ topic }) => `notes on ${topic}` });
/** Keeps looking things up until its slice is gone: nothing flows back to its parent. */
const spender = defineAgent({ name: 'spender', model: 'openai:gpt-test', instructions: 'You never stop.', tools: [lookup], onBudgetExhausted: 'stop', maxTurns: 50 });
const frugal = defineAgent({
  name: 'frugal',
  model: 'openai:gpt-test',
  instructions: 'You delegate.',
  subAgents: [spender],
  maxConcurrentChildren: 6,
  onBudgetExhausted: 'stop',
  budget: { tokens: 9_000 },
  childBudget: { floorTokens: 2_000 },
});
const concise = defineAgent({
  name: 'concise',
  model: 'openai:gpt-test',
  instructions: 'You look things up.',
  tools: [lookup],
  onBudgetExhausted: 'wrapUp',
  wrapUpReserveTokens: 500,
  budget: { tokens: 3_000 },
});
const priced = defineAgent({ name: 'priced', model: 'openai:priced-model', instructions: 'You answer.' });

const agents: AgentDefinition[] = [level0, frugal, concise, priced];

describe('budgets', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({
      agents,
      mock,
      prices: { 'openai:priced-model': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('never lets a tree of sub-agents spend more than its budget (30 random trees)', { timeout: 240_000 }, async () => {
    mock.reset();
    // Each request decides, from a generator seeded by its content, to delegate or to answer with a random length.
    mock.handle((request) => {
      const level = Number(request.system.split(' ')[1]);
      const rng = random(request.messages.length * 7919 + actualInputTokens(request));
      const inputTokens = actualInputTokens(request);
      const outputTokens = 1 + Math.floor(rng() * (request.maxTokens ?? 1));
      const delegateTool = request.toolNames.find((name) => name.startsWith('delegate_to_'));
      const results = toolResults(request).length;
      if (delegateTool && results < 12 && rng() < 0.6) {
        const count = 1 + Math.floor(rng() * 6);
        return {
          toolCalls: Array.from({ length: count }, (_, index) => ({ name: delegateTool, arguments: { task: `task ${level}.${results}.${index}` } })),
          usage: { inputTokens, outputTokens: Math.min(outputTokens, 60) },
        };
      }
      return { text: 'x '.repeat(Math.min(outputTokens, 300)), usage: { inputTokens, outputTokens } };
    });

    const limits = Array.from({ length: 30 }, (_, index) => 8_000 + Math.floor(random(index + 1)() * 60_000));
    const runs = [];
    for (let batch = 0; batch < limits.length; batch += 10) {
      runs.push(
        ...(await Promise.all(
          limits.slice(batch, batch + 10).map(async (tokens) => {
            const { runId } = await stack.client.start('level0', 'Research everything.', { budget: { tokens } });
            const result = await stack.client.result(runId);
            return { tokens, result };
          }),
        )),
      );
    }

    const ratios = runs.map(({ tokens, result }) => (result.usage.inputTokens + result.usage.outputTokens) / tokens);
    const children = runs.reduce((sum, { result }) => sum + result.children.length, 0);
    const exhausted = runs.filter(({ result }) => result.status === 'budget_exhausted').length;
    console.log(
      `30 random trees, ${children} direct children, ${exhausted} ran out of budget; largest spend/limit ${Math.max(...ratios).toFixed(4)} (overrun ${Math.max(0, (Math.max(...ratios) - 1) * 100).toFixed(2)}%)`,
    );
    for (const [index, ratio] of ratios.entries()) expect(ratio, `run ${index} with ${limits[index]} tokens`).toBeLessThanOrEqual(1.01);
    expect(children).toBeGreaterThan(20);
  });

  it('ends a run whose budget runs out mid-fan-out with budget_exhausted and a partial result, starting no child once the ledger is empty', async () => {
    mock.reset();
    mock.handle((request) => {
      const inputTokens = actualInputTokens(request);
      const results = toolResults(request);
      // Spenders use every output token they are allowed, turn after turn.
      if (request.system === 'You never stop.') {
        return { text: 'still looking', toolCalls: [{ name: 'lookup', arguments: { topic: `t${results.length}` } }], usage: { inputTokens, outputTokens: request.maxTokens! } };
      }
      if (results.length === 0) {
        return { toolCalls: Array.from({ length: 6 }, (_, index) => ({ id: `d${index}`, name: 'delegate_to_spender', arguments: { task: `topic ${index}` } })), usage: { inputTokens, outputTokens: 100 } };
      }
      return { toolCalls: [{ id: `again${results.length}`, name: 'delegate_to_spender', arguments: { task: 'one more topic' } }], usage: { inputTokens, outputTokens: 100 } };
    });
    const { runId } = await stack.client.start('frugal', 'Research six topics.');
    const result = await stack.client.result(runId);

    expect(result.status).toBe('budget_exhausted');
    expect(result.exhaustedLimit).toBe('tokens');
    expect(result.usage.inputTokens + result.usage.outputTokens).toBeLessThanOrEqual(9_000);
    // 9,000 tokens, a few hundred spent on the first turn: four floors of 2,000 fit; the rest,
    // and every later delegation, were refused and never started.
    const started = result.children.map((child) => child.toolCallId);
    expect(started).toEqual(['call-1-1', 'call-1-2', 'call-1-3', 'call-1-4']);
    const refused = toolResults(mock.requests.find((request) => request.system === 'You delegate.' && toolResults(request).length > 0)!).filter((entry) =>
      entry.content.startsWith('Not delegated'),
    );
    // The model hears back under its own ids.
    expect(refused.map((entry) => entry.toolCallId)).toEqual(['d4', 'd5']);
    const listed = [];
    for await (const info of stack.temporal.workflow.list({ query: `CairnParentRun = '${runId}'` })) listed.push(info.workflowId);
    expect(listed.sort()).toEqual(started.map((id) => `${runId}.${id}`).sort());
    expect(result.output).toMatch(/^\[Partial result: the tokens budget ran out before a final answer\.\]/);
  });

  it('gives a wrapUp agent exactly one final turn, without tools, told to conclude', async () => {
    mock.reset();
    mock.handle((request) => {
      const inputTokens = actualInputTokens(request);
      if (request.toolNames.length === 0) return { text: 'Conclusion from what I found.', usage: { inputTokens, outputTokens: 50 } };
      return { toolCalls: [{ name: 'lookup', arguments: { topic: `topic ${request.messages.length}` } }], usage: { inputTokens, outputTokens: Math.min(400, request.maxTokens!) } };
    });
    const { runId } = await stack.client.start('concise', 'Keep looking.');
    const result = await stack.client.result(runId);

    expect(result).toMatchObject({ status: 'budget_exhausted', exhaustedLimit: 'tokens', output: 'Conclusion from what I found.' });
    const finalCalls = mock.requests.filter((request) => request.toolNames.length === 0);
    expect(finalCalls).toHaveLength(1);
    expect(mock.requests.at(-1)).toBe(finalCalls[0]);
    expect(finalCalls[0]!.messages.at(-1)).toMatchObject({ role: 'user', content: expect.stringMatching(/^Your token budget is used up\. Do not call tools\./) });
    expect(result.usage.inputTokens + result.usage.outputTokens).toBeLessThanOrEqual(3_000);
  });

  it('computes the cost of a known run from the price table', async () => {
    mock.reset();
    mock.script(
      { toolCalls: [{ name: 'unknown_tool', arguments: {} }], usage: { inputTokens: 12_000, cachedInputTokens: 10_000, outputTokens: 500 } },
      { text: 'Done.', usage: { inputTokens: 20_000, cachedInputTokens: 12_000, outputTokens: 1_000 } },
    );
    const { runId } = await stack.client.start('priced', 'Answer.');
    const result = await stack.client.result(runId);
    // By hand, at $3 / $0.30 cached / $15 per million:
    // call 1: 2,000 × 3 + 10,000 × 0.3 + 500 × 15 = 6,000 + 3,000 + 7,500 = 16,500 µ$
    // call 2: 8,000 × 3 + 12,000 × 0.3 + 1,000 × 15 = 24,000 + 3,600 + 15,000 = 42,600 µ$
    expect(result.costUsd).toBeCloseTo(0.0591, 10);
    expect(result.usageByModel!['openai:priced-model']).toMatchObject({ inputTokens: 32_000, cachedInputTokens: 22_000, outputTokens: 1_500, calls: 2 });
    expect(result.usageByAgent!.priced!.costUsd).toBeCloseTo(0.0591, 10);
  });

  it('refuses a USD budget for a model without a price, saying how to add one', async () => {
    mock.reset();
    const { runId } = await stack.client.start('concise', 'Hi.', { budget: { usd: 1 } });
    await expect(stack.client.result(runId)).rejects.toThrow(/A USD budget needs a price for openai:gpt-test.*defineConfig\(\{ prices/);
  });
});
