import { describe, expect, it } from 'vitest';
import { defaultBudgetPolicy } from '../budget/budget-policy.ts';
import { parseBudgetAmount } from '../budget/budget-amount.ts';
import { RunBudget } from './run-budget.ts';

const usage = (inputTokens: number, outputTokens: number) => ({ inputTokens, outputTokens, cachedInputTokens: 0 });
const price = { inputPerMillion: 1, outputPerMillion: 10 };

describe('RunBudget', () => {
  it('keeps the wrap-up call back on normal turns only', () => {
    const budget = new RunBudget(defaultBudgetPolicy(), { tokens: 10_000 }, undefined);
    expect(budget.allowance(false)).toEqual({ tokens: 10_000, keepForWrapUp: 2_048 });
    expect(budget.allowance(true)).toEqual({ tokens: 10_000 });
    // A small slice keeps back at most a quarter.
    expect(new RunBudget(defaultBudgetPolicy(), { tokens: 2_000 }, undefined).allowance(false)).toEqual({ tokens: 2_000, keepForWrapUp: 500 });
  });

  it('books model calls by agent and model, with their cost', () => {
    const budget = new RunBudget(defaultBudgetPolicy({ usd: 1 }), { tokens: 10_000, usd: 1 }, price);
    budget.recordModelCall('writer', 'openai:x', usage(1_000, 100), true);
    expect(budget.status.used).toEqual({ tokens: 1_100, usd: 0.002, turns: 1, toolCalls: 0 });
    expect(budget.byAgent.writer).toEqual({ ...usage(1_000, 100), costUsd: 0.002, calls: 1 });
    expect(budget.allowance(true)).toMatchObject({ tokens: 8_900, usd: 0.998, price });
  });

  it('reserves slices for children, books their actual spend and gets the rest back', () => {
    const budget = new RunBudget(defaultBudgetPolicy(), { tokens: 100_000 }, undefined);
    expect(budget.reserveChild('c1', 2)).toEqual({ ok: true, limits: { tokens: 40_000 } });
    expect(budget.reserveChild('c2', 2)).toEqual({ ok: true, limits: { tokens: 24_000 } });
    budget.settleChild('c1', { usage: usage(5_000, 1_000), costUsd: 0, usageByAgent: { researcher: { ...usage(5_000, 1_000), costUsd: 0, calls: 2 } }, usageByModel: {} });
    budget.settleChild('c2', undefined);
    expect(budget.status.used.tokens).toBe(6_000 + 24_000);
    expect(budget.status.reserved.tokens).toBe(0);
    expect(budget.byAgent.researcher?.calls).toBe(2);
  });

  it('refuses a child once the ledger is nearly empty', () => {
    const budget = new RunBudget(defaultBudgetPolicy(), { tokens: 3_000 }, undefined);
    expect(budget.reserveChild('c1', 1)).toEqual({ ok: true, limits: { tokens: 2_400 } });
    expect(budget.reserveChild('c2', 1)).toMatchObject({ ok: false });
  });

  it('reserves chosen slices, raised to the floor while the floor fits', () => {
    const budget = new RunBudget(defaultBudgetPolicy(), { tokens: 3_000 }, undefined);
    expect(budget.reserveSlice('scope', 240, 800)).toEqual({ ok: true, limits: { tokens: 800 } });
    expect(budget.reserveSlice('write', 5_000, 800)).toEqual({ ok: true, limits: { tokens: 2_200 } });
    expect(budget.reserveSlice('more', 100, 800)).toEqual({ ok: false, reason: 'only 0 tokens are left, below the 800 this step needs' });
  });

  it('counts tool calls against their limit', () => {
    const budget = new RunBudget(defaultBudgetPolicy(), { tokens: 1_000, toolCalls: 1 }, undefined);
    expect(budget.takeToolCall()).toBe(true);
    expect(budget.takeToolCall()).toBe(false);
    expect(budget.exhausted()).toBe('toolCalls');
  });
});

describe('parseBudgetAmount', () => {
  it.each([
    ['200k', { tokens: 200_000 }],
    ['1.5M', { tokens: 1_500_000 }],
    ['5000 tokens', { tokens: 5_000 }],
    ['$2', { usd: 2 }],
    ['$ 0.50', { usd: 0.5 }],
    ['stop', undefined],
    ['0', undefined],
  ])('%s', (text, expected) => expect(parseBudgetAmount(text)).toEqual(expected));
});
