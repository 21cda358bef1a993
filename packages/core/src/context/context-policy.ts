/**
 * How an agent keeps its conversation within the model's context window: the
 * window, when to compact, how far, and what is always kept. Resolved when a run
 * starts (the window from the agent, the config or the provider's table) and
 * recorded with the agent's spec.
 *
 * Persisted in workflow history: change only by adding optional fields.
 */
export interface ContextPolicy {
  /** The model's context window, in tokens (input and output together). */
  window: number;
  /** Compact when a request would fill more than this share of the window left after the output cap. */
  compactAt: number;
  /** Compact down to this share: eliding old results, and summarising when that is not enough. */
  compactTo: number;
  /** The newest messages are never elided or summarised. */
  keepRecent: number;
  /** The output cap of a summarisation call. */
  summaryMaxTokens: number;
}

export const defaultContextPolicy: Omit<ContextPolicy, 'window'> = { compactAt: 0.8, compactTo: 0.5, keepRecent: 6, summaryMaxTokens: 1_024 };

/** The most of the window a request may fill: room is left for the reply. */
export function inputLimit(policy: ContextPolicy, maxOutputTokens: number): number {
  return policy.window - maxOutputTokens;
}
