import { describe, expect, it } from 'vitest';
import { interruptedUsage, parseModelCallProgress } from './model-call-progress.ts';

describe('interruptedUsage', () => {
  it("counts a cut-off stream's input as the provider reported it, and its text at four characters a token", () => {
    expect(interruptedUsage({ chars: 2_000, tail: '…', inputTokens: 1_200 }, 900)).toEqual({ inputTokens: 1_200, outputTokens: 500, cachedInputTokens: 0 });
  });

  it("estimates the input when the provider had not said it, and adds what attempts before that were cut off with", () => {
    const earlier = { inputTokens: 1_000, outputTokens: 10, cachedInputTokens: 0 };
    expect(interruptedUsage({ chars: 41, tail: '…', interrupted: earlier }, 900)).toEqual({ inputTokens: 1_900, outputTokens: 21, cachedInputTokens: 0 });
  });

  it('adds nothing for an attempt that wrote nothing and was told nothing', () => {
    expect(interruptedUsage({ chars: 0, tail: '' }, 900)).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
  });
});

describe('parseModelCallProgress', () => {
  it('reads what a streaming attempt left, and ignores anything else', () => {
    expect(parseModelCallProgress({ turn: 3, chars: 10, tail: 'abc', inputTokens: 5 })).toEqual({ turn: 3, chars: 10, tail: 'abc', inputTokens: 5 });
    expect(parseModelCallProgress(undefined)).toBeUndefined();
    expect(parseModelCallProgress({ chars: -1, tail: 'x' })).toBeUndefined();
    expect(parseModelCallProgress({ chars: 10, tail: 'x', inputTokens: 'many', interrupted: { inputTokens: 1 } })).toEqual({ chars: 10, tail: 'x' });
  });
});
