import { describe, expect, it } from 'vitest';
import { childSlice } from './budget-policy.ts';

const policy = { splitShare: 0.8, floorTokens: 2_000 };

describe('childSlice', () => {
  it('splits an even share of what remains among the turn’s delegations', () => {
    expect(childSlice(policy, { tokens: 100_000, usd: Infinity }, 4)).toEqual({ tokens: 20_000 });
    expect(childSlice(policy, { tokens: 100_000, usd: 1 }, 4)).toEqual({ tokens: 20_000, usd: 0.2 });
  });

  it('gives an explicit share when one is set', () => {
    expect(childSlice({ ...policy, share: 0.5 }, { tokens: 10_000, usd: Infinity }, 4)).toEqual({ tokens: 5_000 });
  });

  it('raises small slices to the floor while the floor fits, and refuses below it', () => {
    expect(childSlice(policy, { tokens: 5_000, usd: Infinity }, 6)).toEqual({ tokens: 2_000 });
    expect(childSlice(policy, { tokens: 1_500, usd: Infinity }, 1)).toEqual({ refused: 'only 1500 tokens are left, below the 2000 a sub-agent needs at least' });
  });
});
