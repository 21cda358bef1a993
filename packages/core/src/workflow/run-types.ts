/**
 * The public shapes of a run: what starts it, what `status` answers, what it
 * returns. Plain data, safe for workflow code and clients alike.
 *
 * Persisted in workflow history: change only by adding optional fields.
 */
import type { AgentSpec } from '../agent/spec.ts';
import type { TokenUsage } from '../messages.ts';
import type { TranscriptRef } from '../transcript/transcript-store.ts';
import type { TranscriptAppend } from '../activity-contract.ts';
import type { ContextView } from '../context/context-view.ts';
import type { PendingItem } from './human-inbox.ts';
import type { BudgetDimension, BudgetLimits } from '../budget/budget-ledger.ts';
import type { UsageBreakdown } from '../budget/usage-breakdown.ts';
import type { BudgetStatus, RunBudgetState } from './run-budget.ts';

export interface RunOptions {
  /** Overrides the agent's maxTurns for this run. */
  maxTurns?: number;
  /** How often a final answer cut off at the output cap is continued before the run ends as `truncated`. Default 2. */
  continuations?: number;
  /** How soon a dead worker is noticed during a model or tool call. Default 30 s. */
  heartbeatTimeoutMs?: number;
  /** Longest a single model call may take. Default 10 min. */
  modelCallTimeoutMs?: number;
  /** Longest a single tool call may take. Default 10 min. */
  toolTimeoutMs?: number;
  /** No person is watching: questions are answered at once with "no human available". */
  unattended?: boolean;
  /** Overrides the agent's default budget limits for this run. */
  budget?: Partial<BudgetLimits>;
  /** Runs the agent (and its sub-agents) on this `provider:model` instead of their own. */
  model?: string;
  /** Continue as new after this many turns in one history (default 500; Temporal may suggest sooner). */
  turnsPerHistory?: number;
  /** Run-scoped settings every tool of the run (and its sub-agents) sees as `context.settings`, e.g. a corpus folder. */
  toolSettings?: Record<string, string>;
  /**
   * Someone follows the run: model calls stream their replies and publish the text so far
   * in their heartbeats (`CairnClient.streamedText`), never in history. `cairn run` sets it.
   */
  stream?: boolean;
}

/** Where a sub-agent run sits in its tree. */
export interface ParentLink {
  runId: string;
  /** 1 for a child of the root run. */
  depth: number;
  /** The deepest level the root's agent allows. */
  maxDepth: number;
  /** The run at the top of the tree (default: `runId`, right for a child of the root). */
  rootRunId?: string;
  /** The parent's tool call that started this run. */
  toolCallId?: string;
}

export interface AgentRunInput {
  agent: string;
  /** The task; with `inputRef`, only its beginning (for people reading the history). */
  input: string;
  /** Blob key of a large input, stored out of history by the client. */
  inputRef?: string;
  options?: RunOptions;
  /** Set on sub-agent runs. */
  parent?: ParentLink;
  /** The W3C `traceparent` of the span that started the run (a client's): its trace continues there. */
  traceParent?: string;
  /** A sub-agent's slice of its parent's budget. */
  budget?: Pick<BudgetLimits, 'tokens' | 'usd'>;
  /** What the parent learned of the provider's token counts: the child starts from it (`budget/input-calibration.ts`). */
  inputCalibration?: number;
  /** Carried across continue-as-new; absent on a fresh start. */
  resume?: ResumeState;
}

export interface ResumeState {
  spec: AgentSpec;
  specRef: string;
  transcript: TranscriptRef;
  /** Tool results of the last turn, not yet in the transcript. */
  pendingAppend: TranscriptAppend[];
  turn: number;
  usage: TokenUsage;
  startedAt: number;
  budget?: RunBudgetState;
  children?: ChildRun[];
  inputCalibration?: number;
  /** What of the transcript the model is shown, once compacted. */
  context?: ContextView;
}

export type RunState =
  | 'starting'
  /** Working through its turns: what visibility (`cairn list`) shows; the status query says whether it calls the model or runs tools. */
  | 'running'
  | 'calling_model'
  | 'running_tools'
  | 'waiting_for_human'
  | 'wrapping_up'
  | 'completed'
  | 'max_turns'
  | 'budget_exhausted'
  | 'truncated'
  | 'failed'
  | 'cancelled';

/**
 * How a run ended, when it ended by itself. `truncated`: the final answer was
 * cut off at the output cap and could not be continued (turns, budget, or
 * continuations ran out); `output` holds what there is.
 */
export type RunOutcome = 'completed' | 'max_turns' | 'budget_exhausted' | 'truncated';

export interface ToolCallStatus {
  id: string;
  name: string;
  state: 'queued' | 'running' | 'waiting_for_human' | 'done' | 'error';
  preview?: string;
}

/** A sub-agent run as its parent sees it. */
export interface ChildRun {
  runId: string;
  agent: string;
  toolCallId: string;
  /** 'queued' while waiting for one of the parent's child slots. */
  state: 'queued' | 'running' | RunOutcome | 'failed' | 'cancelled';
  turns?: number;
  usage?: TokenUsage;
  costUsd?: number;
  /** The slice of the parent's budget it was given. */
  budget?: Pick<BudgetLimits, 'tokens' | 'usd'>;
  error?: string;
}

export interface RunStatus {
  runId: string;
  agent: string;
  model?: string;
  state: RunState;
  turn: number;
  maxTurns?: number;
  usage: TokenUsage;
  startedAt: number;
  /** The tool calls of the current (or last) turn. */
  toolCalls: ToolCallStatus[];
  /** Questions and approvals waiting for a person, oldest first. */
  pending: PendingItem[];
  /** Sub-agent runs started by this run, in order. */
  children: ChildRun[];
  /** Signals that named nothing pending, with why: never dropped silently. */
  rejected: { at: number; message: string }[];
  parentRunId?: string;
  output?: string;
  budget?: BudgetStatus;
  /** Set when the run ended because a budget limit was reached. */
  exhaustedLimit?: BudgetDimension;
  /** The build of the worker serving the run (its `buildId`), when one answered. */
  buildId?: string;
  /** No worker answered: this status was read from the run's search attributes, memo and history. */
  workerUnavailable?: boolean;
  /** With `workerUnavailable`: ids of questions and approvals whose answers wait, unchecked, for a worker. */
  queuedDecisions?: string[];
}

/** How a run ended; `Output` is what an agent with an output schema returns as `value`. */
export interface AgentRunResult<Output = unknown> {
  runId: string;
  agent: string;
  status: RunOutcome;
  /** The final answer (for an agent with an output schema, `value` as JSON); with `budget_exhausted`, the best partial result. Its beginning alone when `outputRef` is set. */
  output: string;
  /** For an agent with an output schema: the answer, parsed and checked against it. Absent when the run ended without one (out of budget or turns). */
  value?: Output;
  /** `value` was too large for history: this blob holds it as JSON (`CairnClient.result` reads it when it can). */
  valueRef?: string;
  /** The answer was too large for history: the whole of it is this blob (`CairnClient.result` reads it when it can). */
  outputRef?: string;
  turns: number;
  /** Tokens of the whole tree: this run and its sub-agents. */
  usage: TokenUsage;
  transcript: TranscriptRef;
  /** Sub-agent runs, as the parent saw them end. */
  children: ChildRun[];
  /** Which limit ended the run, with `budget_exhausted`. */
  exhaustedLimit?: BudgetDimension;
  /** USD of the whole tree, from the price table (0 for unpriced models). */
  costUsd?: number;
  usageByAgent?: UsageBreakdown;
  usageByModel?: UsageBreakdown;
  budget?: BudgetStatus;
  /** The worst ratio of billed to estimated input tokens this run (and its sub-agents) saw, cushioned. */
  inputCalibration?: number;
}
