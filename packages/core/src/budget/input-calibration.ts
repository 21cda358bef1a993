/**
 * Cairn estimates a call's input with the o200k tokenizer; the provider bills
 * with its own, which may count more (another vendor's vocabulary, its own
 * framing). Every reply reports the real count, so a run learns how far off
 * its estimates are and multiplies later estimates by the worst ratio seen,
 * with a small cushion for text unlike what it has seen so far. The factor
 * only grows, and is handed to sub-agents and across continue-as-new.
 */

/** Head-room on top of the worst ratio seen: the next call's text may tokenize a little worse. */
export const calibrationCushion = 1.04;

/** The factor for later estimates, after a call estimated at `estimated` was billed `billed` input tokens. */
export function calibrateInputEstimate(current: number, estimated: number | undefined, billed: number): number {
  if (estimated === undefined || !(estimated > 0) || !(billed > 0)) return current;
  return Math.max(current, (billed / estimated) * calibrationCushion);
}
