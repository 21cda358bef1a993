import { describe, expect, it } from 'vitest';
import { withThousands } from './summaries.ts';

describe('withThousands', () => {
  it('groups the whole part in threes, as en-US does, and leaves the fraction alone', () => {
    expect([0, 999, 1000, 1234567, 1234.5678, 1e12].map(withThousands)).toEqual(['0', '999', '1,000', '1,234,567', '1,234.5678', '1,000,000,000,000']);
    expect(withThousands(9_876_543)).toBe((9_876_543).toLocaleString('en-US'));
  });
});
