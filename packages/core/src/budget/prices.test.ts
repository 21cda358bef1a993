import { describe, expect, it } from 'vitest';
import { costOf, defaultPrices, worstCaseCost } from './prices.ts';

describe('costOf', () => {
  it('prices cached input at the cached rate', () => {
    // 10,000 input of which 4,000 cached, 2,000 output on gpt-4.1: 6,000×$2 + 4,000×$0.5 + 2,000×$8 per million.
    const usage = { inputTokens: 10_000, cachedInputTokens: 4_000, outputTokens: 2_000 };
    expect(costOf(usage, defaultPrices['openai:gpt-4.1']!)).toBeCloseTo(0.012 + 0.002 + 0.016, 10);
  });

  it('falls back to the input price when no cached price is given', () => {
    expect(costOf({ inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 0 }, { inputPerMillion: 3, outputPerMillion: 15 })).toBe(3);
  });

  it('prices input written to the prompt cache at the write rate', () => {
    // Claude Sonnet 4.5: 10,000 input of which 6,000 read from the cache and 3,000 written to it, 500 output:
    // 1,000×$3 + 6,000×$0.30 + 3,000×$3.75 + 500×$15 per million.
    const usage = { inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteInputTokens: 3_000, outputTokens: 500 };
    expect(costOf(usage, defaultPrices['anthropic:claude-sonnet-4-5']!)).toBeCloseTo(0.003 + 0.0018 + 0.01125 + 0.0075, 10);
  });

  it('bounds a call from above', () => {
    expect(worstCaseCost(1_000, 500, { inputPerMillion: 3, outputPerMillion: 15 })).toBeCloseTo(0.003 + 0.0075, 10);
    // Where writing to the cache costs more than fresh input, every input token may be a write.
    expect(worstCaseCost(1_000, 500, defaultPrices['anthropic:claude-sonnet-4-5']!)).toBeCloseTo(0.00375 + 0.0075, 10);
  });
});
