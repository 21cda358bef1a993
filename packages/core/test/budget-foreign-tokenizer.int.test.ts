/**
 * Budgets hold whichever tokenizer the provider bills with. The mock model server
 * here counts input with LLaMA's SentencePiece vocabulary, which splits numbers into
 * digits and counts far more than the o200k tokenizer Cairn estimates with; the run
 * learns the ratio from the usage each reply reports and plans later calls with it.
 */
import llamaTokenizer from 'llama-tokenizer-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, toolResults, type MockRequest, startTestStack, type TestStack } from '@cairn/testing';
import { defineAgent } from '../src/index.ts';

/** What a provider with another vendor's tokenizer bills for a request's input. */
function billedInputTokens(request: MockRequest): number {
  const framing = 4;
  const parts = [request.system, ...request.toolNames, ...request.messages.map((message) => ('toolCalls' in message ? message.content + JSON.stringify(message.toolCalls) : message.content))];
  return parts.reduce((sum, part) => sum + llamaTokenizer.encode(part).length + framing, 0);
}

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Text full of figures, which LLaMA's vocabulary splits into single digits. */
const vocabulary = ['the', 'tide', 'rose', '3.14159%', 'in', '2025,', 'to', '42,000', 'units;', 'see', 'table', '7.2.1', '(n=1,024)', 'and', '0.0625'];
const prose = (rng: () => number, words: number) => Array.from({ length: words }, () => vocabulary[Math.floor(rng() * vocabulary.length)]).join(' ');

const leaf = defineAgent({ name: 'leaf', model: 'openai:gpt-test', instructions: 'leaf 2025-11-30 figures', maxOutputTokens: 1_500 });
const middle = defineAgent({ name: 'middle', model: 'openai:gpt-test', instructions: 'middle 2025-11-30 figures', subAgents: [leaf], maxConcurrentChildren: 4, maxOutputTokens: 1_500 });
const root = defineAgent({ name: 'root', model: 'openai:gpt-test', instructions: 'root 2025-11-30 figures', subAgents: [middle], maxConcurrentChildren: 4, maxOutputTokens: 1_500, maxTurns: 6 });

describe('budgets with a provider that counts tokens its own way', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [root], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('never lets a tree spend more than its limit (12 random trees billed by a LLaMA tokenizer)', { timeout: 240_000 }, async () => {
    mock.handle((request) => {
      const inputTokens = billedInputTokens(request);
      const rng = random(request.messages.length * 7919 + inputTokens);
      const delegateTool = request.toolNames.find((name) => name.startsWith('delegate_to_'));
      const results = toolResults(request).length;
      if (delegateTool && results < 8 && rng() < 0.6) {
        const count = 1 + Math.floor(rng() * 4);
        return {
          toolCalls: Array.from({ length: count }, (_, index) => ({ name: delegateTool, arguments: { task: `${prose(rng, 12)} #${results}.${index}` } })),
          usage: { inputTokens, outputTokens: Math.min(request.maxTokens ?? 1, 40 + count * 30) },
        };
      }
      // Answers of figures that use the whole output cap the call was given: the last call of a
      // tree then spends exactly what Cairn planned for, plus whatever its input estimate missed.
      const outputTokens = request.maxTokens ?? 1;
      return { text: prose(rng, Math.ceil(outputTokens / 3)), usage: { inputTokens, outputTokens } };
    });

    const limits = Array.from({ length: 12 }, (_, index) => 6_000 + Math.floor(random(index + 101)() * 30_000));
    const runs = await Promise.all(
      limits.map(async (tokens) => {
        const { runId } = await stack.client.start('root', `${prose(random(tokens), 40)}: research all of it.`, { budget: { tokens } });
        return { tokens, result: await stack.client.result(runId) };
      }),
    );

    const ratios = runs.map(({ tokens, result }) => (result.usage.inputTokens + result.usage.outputTokens) / tokens);
    const calibrations = runs.map(({ result }) => result.inputCalibration ?? 1);
    const worst = Math.max(...ratios);
    console.log(
      `12 random trees billed by a LLaMA tokenizer: largest spend/limit ${worst.toFixed(4)}; ` +
        `learned input calibration ${Math.min(...calibrations).toFixed(2)}–${Math.max(...calibrations).toFixed(2)}; ` +
        `${runs.filter(({ result }) => result.status === 'budget_exhausted').length} ran out of budget, ${runs.reduce((sum, { result }) => sum + result.children.length, 0)} direct children`,
    );
    // The provider really does count more than Cairn's estimator: this is the case under test.
    expect(Math.min(...calibrations)).toBeGreaterThan(1.1);
    for (const [index, ratio] of ratios.entries()) expect(ratio, `tree ${index} with ${limits[index]} tokens`).toBeLessThanOrEqual(1);
  });
});
