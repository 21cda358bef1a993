/**
 * What happens in a run, as typed events: the one seam for everything that
 * watches a run. The loop emits them; the status it publishes (query, memo,
 * search attributes, the Web UI's current details) is built from them, and
 * tracing and analytics subscribe the same way.
 *
 * Emitted from workflow code, so also while a worker replays a history: a
 * subscriber that does I/O must happen outside the workflow (a sink, which
 * Temporal does not call during replay), never here.
 */
import type { BudgetDimension } from '../budget/budget-ledger.ts';
import type { StopReason, TokenUsage } from '../messages.ts';
import type { PendingItem, Resolution } from './human-inbox.ts';
import type { BudgetStatus } from './run-budget.ts';
import type { ChildRun, RunOutcome } from './run-types.ts';

/**
 * Each event that ends a step says when the step started (workflow time, ms), so
 * that whoever sees only the end (a worker that took over the run) can trace it.
 */
export type RunEvent =
  | { type: 'run_started'; runId: string; agent: string; model: string; parentRunId?: string; turn: number }
  | { type: 'run_finished'; outcome: RunOutcome; output: string; exhaustedLimit?: BudgetDimension; usage: TokenUsage; startedAt: number; costUsd: number; budget: BudgetStatus }
  | { type: 'model_call_started'; turn: number; model: string; wrapUp: boolean }
  | {
      type: 'model_call_finished';
      turn: number;
      model: string;
      /** The model id the provider reported, when it did. */
      responseModel?: string;
      usage: TokenUsage;
      stopReason: StopReason;
      /** What the model wrote (its beginning, for a reply too large for history) and the calls it made. */
      text: string;
      toolCalls: { id: string; name: string }[];
      costUsd?: number;
      budget: BudgetStatus;
      startedAt: number;
    }
  | { type: 'turn_finished'; turn: number; startedAt: number }
  | { type: 'tool_calls_started'; turn: number; calls: { id: string; name: string; arguments: string }[] }
  | { type: 'tool_call_started'; id: string; name: string }
  | { type: 'tool_call_finished'; id: string; name: string; isError: boolean; preview: string; startedAt: number }
  | { type: 'human_wait_opened'; item: PendingItem }
  | { type: 'human_wait_resolved'; item: PendingItem; resolution: Resolution }
  | { type: 'budget_refused'; limit: 'tokens' | 'usd'; reason: string; inputTokens: number }
  | { type: 'budget_exhausted'; limit: BudgetDimension; behaviour: 'stop' | 'wrapUp' | 'ask' }
  | { type: 'budget_topped_up'; budget: BudgetStatus }
  /** The conversation outgrew the model's window: the messages before `through` were summarised (a model call of its own). */
  | { type: 'context_compacted'; turn: number; model: string; through: number; usage: TokenUsage; costUsd?: number; startedAt: number }
  | { type: 'child_started'; child: ChildRun }
  | { type: 'child_settled'; child: ChildRun };

export type RunEventType = RunEvent['type'];
export type RunEventListener = (event: RunEvent) => void;

/** Delivers each event to every listener, in the order they subscribed, synchronously. */
export class RunEvents {
  private readonly listeners: RunEventListener[] = [];

  subscribe(listener: RunEventListener): void {
    this.listeners.push(listener);
  }

  emit(event: RunEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
