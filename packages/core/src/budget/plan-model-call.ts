/**
 * How large a model call may be within what is left of the budget. The output
 * cap (`max_tokens`) is the lever: a provider never returns more, so input
 * estimate + output cap bounds the call's tokens, and its worst-case cost
 * bounds its USD.
 */
import { dearestInputPrice, type ModelPrice } from './prices.ts';

export interface CallAllowance {
  /** Tokens this call may use (input + output); absent: no limit. */
  tokens?: number;
  /** USD this call may cost; absent: no limit. */
  usd?: number;
  price?: ModelPrice;
  /**
   * Set on ordinary turns of a `wrapUp` agent: after this call there must still
   * be room for one final call that reads the conversation again and concludes.
   * The value is the headroom kept for that final answer and the tool results before it.
   */
  keepForWrapUp?: number;
}

export type CallPlan = { ok: true; maxOutputTokens: number } | { ok: false; limit: 'tokens' | 'usd'; reason: string };

/** Below this, an answer is not worth asking for. */
export const minOutputTokens = 64;

export function planModelCall(inputTokens: number, wantedOutputTokens: number, allowance: CallAllowance): CallPlan {
  let cap = wantedOutputTokens;
  let limit: 'tokens' | 'usd' = 'tokens';
  if (allowance.tokens !== undefined) {
    // With a wrap-up to keep: this call's input and output, then the final call's input
    // (the same conversation plus this output) and its headroom, must all fit.
    const byTokens = allowance.keepForWrapUp === undefined ? allowance.tokens - inputTokens : Math.floor((allowance.tokens - 2 * inputTokens - allowance.keepForWrapUp) / 2);
    cap = Math.min(cap, byTokens);
  }
  if (allowance.usd !== undefined && allowance.price) {
    const { outputPerMillion } = allowance.price;
    // Input written to the prompt cache costs more than fresh input: plan for the dearer.
    const byUsd = Math.floor((allowance.usd * 1_000_000 - inputTokens * dearestInputPrice(allowance.price)) / outputPerMillion);
    if (byUsd < cap) {
      cap = byUsd;
      limit = 'usd';
    }
  }
  cap = Math.floor(cap);
  if (cap < Math.min(minOutputTokens, wantedOutputTokens)) {
    return { ok: false, limit, reason: `about ${inputTokens} input tokens leave room for ${Math.max(0, cap)} output tokens within the ${limit === 'usd' ? 'cost' : 'token'} budget` };
  }
  return { ok: true, maxOutputTokens: cap };
}

/** True when a call of `inputTokens` (an upper bound) may have its whole wanted output: the budget changes nothing about it. */
export function leavesBudgetUntouched(inputTokens: number, wantedOutputTokens: number, allowance: CallAllowance): boolean {
  const plan = planModelCall(Math.ceil(inputTokens), wantedOutputTokens, allowance);
  return plan.ok && plan.maxOutputTokens === wantedOutputTokens;
}
