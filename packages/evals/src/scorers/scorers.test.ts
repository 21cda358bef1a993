import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentRunResult, RunRecord, ToolCallRecord } from '@cairn/core';
import type { ScoreInput } from '../scorer.ts';
import { defineScorer } from '../scorer.ts';
import { withinBudget, withinLatency } from './limits.ts';
import { matchesSchema } from './structured.ts';
import { exactMatch, includes, matches } from './text.ts';
import { toolUse } from './tool-use.ts';

function input(output: string, options: { expected?: unknown; calls?: Pick<ToolCallRecord, 'name' | 'arguments'>[]; value?: unknown; tokens?: number; durationMs?: number } = {}): ScoreInput {
  const toolCalls = (options.calls ?? []).map((call, index) => ({ id: `call-1-${index + 1}`, kind: 'tool' as const, ...call }));
  return {
    case: { id: 'c1', input: 'q', expected: options.expected },
    result: { output, value: options.value, usage: { inputTokens: options.tokens ?? 10, outputTokens: 0, cachedInputTokens: 0 }, costUsd: 0.01 } as AgentRunResult,
    record: { turns: [{ toolCalls }] } as unknown as RunRecord,
    durationMs: options.durationMs ?? 100,
    runAgent: () => Promise.reject(new Error('these scorers run no agents')),
  };
}

describe('text scorers', () => {
  it('exact ignores case and spacing unless strict', async () => {
    expect(await exactMatch().score(input(' Paris ', { expected: 'paris' }))).toEqual({ scorer: 'exact', score: 1, pass: true });
    expect((await exactMatch({ strict: true }).score(input(' Paris ', { expected: 'paris' }))).pass).toBe(false);
  });

  it('includes scores the share of key facts found, and names the missing', async () => {
    expect(await includes().score(input('The Moon pulls the sea.', { expected: ['moon', 'sun'] }))).toEqual({ scorer: 'includes', score: 0.5, pass: false, note: 'missing "sun"' });
    expect((await includes({ atLeast: 0.5 }).score(input('The Moon pulls the sea.', { expected: ['moon', 'sun'] }))).pass).toBe(true);
  });

  it('regex matches the answer', async () => {
    expect((await matches(/\d+ km/).score(input('It is 384400 km away.'))).pass).toBe(true);
  });
});

describe('toolUse', () => {
  const calls = [
    { name: 'search', arguments: '{"q":"tides"}' },
    { name: 'read', arguments: '{"id":"s1"}' },
  ];

  it('passes when the calls were made with matching arguments, in order', async () => {
    const scorer = toolUse({ calls: [{ name: 'search', arguments: { q: 'tides' } }, { name: 'read' }], inOrder: true, atMost: 2 });
    expect(await scorer.score(input('', { calls }))).toEqual({ scorer: 'tool-use', score: 1, pass: true });
  });

  it('names what is out of order, missing, too many or forbidden', async () => {
    const outOfOrder = await toolUse({ calls: [{ name: 'read' }, { name: 'search' }], inOrder: true }).score(input('', { calls }));
    expect(outOfOrder).toMatchObject({ score: 0.5, pass: false, note: 'no later call of search' });
    const strict = await toolUse({ calls: [{ name: 'search', arguments: { q: 'moon' } }], atMost: 1, never: ['read'] }).score(input('', { calls }));
    expect(strict).toMatchObject({ score: 0, pass: false, note: 'no call of search with {"q":"moon"}; 2 calls, more than 1; called read' });
  });
});

describe('other scorers', () => {
  it('checks structured output against a schema and the expected fields', async () => {
    const schema = z.object({ verdict: z.enum(['ok', 'fix']), notes: z.array(z.string()) });
    expect((await matchesSchema(schema).score(input('{"verdict":"ok","notes":[]}'))).pass).toBe(true);
    expect(await matchesSchema(schema, { compareExpected: true }).score(input('', { value: { verdict: 'ok', notes: [] }, expected: { verdict: 'fix' } }))).toMatchObject({ score: 0, note: 'wrong verdict' });
    expect(await matchesSchema(schema).score(input('not json'))).toMatchObject({ pass: false, note: 'the answer is not JSON' });
  });

  it('limits tokens, cost and time', async () => {
    expect(await withinBudget({ tokens: 5, usd: 0.001 }).score(input('', { tokens: 10 }))).toMatchObject({ pass: false, note: '10 tokens > 5, $0.0100 > $0.001' });
    expect((await withinLatency(50).score(input('', { durationMs: 100 }))).pass).toBe(false);
  });

  it('takes a number, a boolean or a score with a note from a scorer of your own, clamped to 0..1', async () => {
    const polite = defineScorer('polite', ({ result }) => ({ score: result.output.includes('please') ? 2 : -1, note: 'no please' }));
    expect(await polite.score(input('yes please'))).toEqual({ scorer: 'polite', score: 1, pass: true });
    expect(await polite.score(input('no'))).toEqual({ scorer: 'polite', score: 0, pass: false, note: 'no please' });
    expect(await defineScorer('half', () => 0.5, { threshold: 0.5 }).score(input(''))).toEqual({ scorer: 'half', score: 0.5, pass: true });
  });
});
