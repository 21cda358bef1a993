/**
 * The budget rules of one agent: its default limits, what happens when they
 * run out, and how it shares its budget with sub-agents. Serialisable: part of
 * the agent spec.
 */
import type { BudgetLimits } from './budget-ledger.ts';

/**
 * - `stop`: end with status `budget_exhausted` and the best partial result;
 * - `wrapUp`: keep enough back that the model gets one final turn, without tools, told to conclude;
 * - `ask`: ask a person to add budget (`cairn budget add`), and carry on when they do.
 */
export type ExhaustionBehaviour = 'stop' | 'wrapUp' | 'ask';

export interface ChildBudgetPolicy {
  /** Each sub-agent gets this fraction of what remains when it starts. Default: an even split (see `splitShare`). */
  share?: number;
  /** Without `share`: this fraction of what remains is split evenly among one turn's delegations. Default 0.8. */
  splitShare?: number;
  /** A sub-agent is not started with fewer tokens than this. Default 2,000. */
  floorTokens?: number;
}

export interface BudgetPolicy {
  limits: BudgetLimits;
  onExhausted: ExhaustionBehaviour;
  /** With `wrapUp`: tokens kept for the final answer and the tool results before it. */
  wrapUpReserveTokens: number;
  children: Required<Pick<ChildBudgetPolicy, 'splitShare' | 'floorTokens'>> & Pick<ChildBudgetPolicy, 'share'>;
}

export const defaultTokenBudget = 1_000_000;

export const defaultBudgetPolicy = (limits: Partial<BudgetLimits> = {}): BudgetPolicy => ({
  limits: { tokens: defaultTokenBudget, ...limits },
  onExhausted: 'wrapUp',
  wrapUpReserveTokens: 2_048,
  children: { splitShare: 0.8, floorTokens: 2_000 },
});

/**
 * Tokens and USD for one sub-agent started now, or why none can start. `delegations`
 * is the number of delegations in the turn, for the even split.
 */
export function childSlice(
  policy: BudgetPolicy['children'],
  remaining: { tokens: number; usd: number },
  delegations: number,
): { tokens: number; usd?: number } | { refused: string } {
  const fraction = policy.share ?? policy.splitShare / Math.max(1, delegations);
  const tokens = Math.min(remaining.tokens, Math.max(policy.floorTokens, Math.floor(remaining.tokens * fraction)));
  if (tokens < policy.floorTokens) {
    return { refused: `only ${Math.floor(remaining.tokens)} tokens are left, below the ${policy.floorTokens} a sub-agent needs at least` };
  }
  return Number.isFinite(remaining.usd) ? { tokens, usd: remaining.usd * fraction } : { tokens };
}
