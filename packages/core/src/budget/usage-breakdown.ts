/**
 * Usage and cost summed by agent and by model across a run's whole tree.
 * Plain records, so they travel in run results from child to parent.
 */
import type { TokenUsage } from '../messages.ts';

export interface UsageTotals extends TokenUsage {
  costUsd: number;
  calls: number;
}

export type UsageBreakdown = Record<string, UsageTotals>;

export function addToBreakdown(breakdown: UsageBreakdown, key: string, usage: TokenUsage, costUsd: number, calls = 1): void {
  const totals = (breakdown[key] ??= { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, calls: 0 });
  totals.inputTokens += usage.inputTokens;
  totals.outputTokens += usage.outputTokens;
  totals.cachedInputTokens += usage.cachedInputTokens;
  totals.costUsd += costUsd;
  totals.calls += calls;
}

export function mergeBreakdowns(into: UsageBreakdown, from: UsageBreakdown): void {
  for (const [key, totals] of Object.entries(from)) addToBreakdown(into, key, totals, totals.costUsd, totals.calls);
}
