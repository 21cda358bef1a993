import { describe, expect, it } from 'vitest';
import { calibrateInputEstimate, calibrationCushion } from './input-calibration.ts';

describe('calibrateInputEstimate', () => {
  it('grows to the worst ratio of billed to estimated tokens, with a cushion', () => {
    const afterFirst = calibrateInputEstimate(1, 1000, 1200);
    expect(afterFirst).toBeCloseTo(1.2 * calibrationCushion);
    // A better-behaved call never lowers it.
    expect(calibrateInputEstimate(afterFirst, 1000, 900)).toBe(afterFirst);
    expect(calibrateInputEstimate(afterFirst, 1000, 1500)).toBeCloseTo(1.5 * calibrationCushion);
  });

  it('ignores replies that report no usage, and calls made before estimates were returned', () => {
    expect(calibrateInputEstimate(1.1, 1000, 0)).toBe(1.1);
    expect(calibrateInputEstimate(1.1, undefined, 500)).toBe(1.1);
  });
});
