import { describe, expect, it } from 'vitest';
import { planModelCall } from './plan-model-call.ts';

describe('planModelCall', () => {
  it('caps the output at what the tokens left allow', () => {
    expect(planModelCall(1_000, 4_096, { tokens: 3_000 })).toEqual({ ok: true, maxOutputTokens: 2_000 });
    expect(planModelCall(1_000, 4_096, {})).toEqual({ ok: true, maxOutputTokens: 4_096 });
  });

  it('keeps room for a final wrap-up call', () => {
    // 10,000 - 2×2,000 input - 1,000 headroom = 5,000, shared by this output and its re-reading: 2,500.
    expect(planModelCall(2_000, 4_096, { tokens: 10_000, keepForWrapUp: 1_000 })).toEqual({ ok: true, maxOutputTokens: 2_500 });
    expect(planModelCall(2_000, 4_096, { tokens: 5_100, keepForWrapUp: 1_000 })).toMatchObject({ ok: false, limit: 'tokens' });
  });

  it('caps the output by cost, and says so when cost is the binding limit', () => {
    const price = { inputPerMillion: 3, outputPerMillion: 15 };
    // $0.01 - 1,000 × $3/M = $0.007 → 466 output tokens at $15/M.
    expect(planModelCall(1_000, 4_096, { tokens: 100_000, usd: 0.01, price })).toEqual({ ok: true, maxOutputTokens: 466 });
    expect(planModelCall(1_000, 4_096, { usd: 0.0031, price })).toMatchObject({ ok: false, limit: 'usd' });
  });

  it('refuses a call whose input alone does not fit', () => {
    expect(planModelCall(5_000, 1_000, { tokens: 4_000 })).toMatchObject({ ok: false, limit: 'tokens' });
  });
});
