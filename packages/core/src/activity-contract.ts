/**
 * The inputs and outputs of Cairn's activities: the boundary between the
 * deterministic workflow and everything with I/O. Plain data only, and small:
 * conversations travel by reference (`TranscriptRef`), never by value.
 *
 * Persisted in workflow history: change only by adding optional fields.
 */
import type { AgentSpec } from './agent/spec.ts';
import type { AssistantMessage, StopReason, TokenUsage, ToolResultMessage, UserMessage } from './messages.ts';
import type { TranscriptRef } from './transcript/transcript-store.ts';
import type { CallAllowance } from './budget/plan-model-call.ts';
import type { ClaimedAssistantMessage } from './transcript/claim-check.ts';
import type { ContextView } from './context/context-view.ts';

export interface ResolvedAgent {
  spec: AgentSpec;
  /** Blob key of the spec, so model calls carry a key instead of the whole spec. */
  specRef: string;
}

/** A tool result stored by the tool activity (or a sub-agent's stored answer), appended to the transcript by the next model call. */
export interface ToolResultRef {
  role: 'tool';
  toolCallId: string;
  toolName: string;
  isError: boolean;
  contentRef: string;
  /** Appended to the stored content: the parent's note on how a sub-agent ended. */
  suffix?: string;
}

/** A run input stored out of history by the client; the model activity reads it. */
export interface UserMessageRef {
  role: 'user';
  contentRef: string;
}

/** Small results made by the workflow itself (answers, denials, sub-agent outcomes) travel inline. */
export type TranscriptAppend = UserMessage | UserMessageRef | AssistantMessage | ToolResultMessage | ToolResultRef;

export interface CallModelInput {
  runId: string;
  trace?: StepTrace;
  specRef: string;
  transcript: TranscriptRef;
  /** What happened since the last model call: the user's input or the turn's tool results. */
  append: TranscriptAppend[];
  maxOutputTokens: number;
  /** What the call may spend; the output cap shrinks to fit, or the call is refused. */
  allowance?: CallAllowance;
  /** The wrap-up call: the model may only answer. */
  withoutTools?: boolean;
  /** The turn this call makes (1-based); names the reply's tool calls `call-<turn>-<n>`. */
  turn?: number;
  /** Multiplies the input estimate: how much more than Cairn's estimate the provider has billed so far (`budget/input-calibration.ts`). */
  inputCalibration?: number;
  /** What of the transcript the model is shown, once it has been compacted; absent: all of it. */
  context?: ContextView;
  /** Someone follows the run: stream the reply and publish its text in the heartbeats (`ModelCallProgress`). */
  stream?: boolean;
}

/**
 * A streaming model call's heartbeat details: where a client follows the text as it is
 * written (`CairnClient.streamedText`), and where a retry learns what an attempt cut off
 * mid-stream had already been billed. Never in history while the call succeeds.
 */
export interface ModelCallProgress {
  turn?: number;
  /** Characters written so far. */
  chars: number;
  /** The last of them (at most `progressTailChars`). */
  tail: string;
  /** Input tokens as the provider counted them, when it said. */
  inputTokens?: number;
  /** What earlier attempts of this call were billed for before they were cut off. */
  interrupted?: TokenUsage;
}

export const progressTailChars = 4_096;

export interface ModelReply {
  /** The transcript including `append` and the model's reply. */
  transcript: TranscriptRef;
  /** The reply, with parts too large for history replaced by their blob keys (`transcript/claim-check.ts`). */
  message: ClaimedAssistantMessage;
  usage: TokenUsage;
  stopReason: StopReason;
  /** The model id the provider reported, when it did (`gen_ai.response.model`). */
  responseModel?: string;
  /** Cairn's own estimate of the input, before calibration: compared with `usage.inputTokens` to calibrate the next. */
  estimatedInputTokens?: number;
  /** For an agent with an output schema, a reply without tool calls checked against it. */
  outputCheck?: CheckedOutput;
  /** The view the model was shown, when it differs from the call's `context` (older results were elided). */
  context?: ContextView;
  /** Part of `usage`: what earlier attempts cut off mid-stream were billed for (reported, or estimated). */
  interruptedUsage?: TokenUsage;
}

/** The conversation must be summarised before it fits the model's window: the call was not made. */
export interface ContextFull {
  /** The transcript including `append`. */
  transcript: TranscriptRef;
  /** The view with old results elided, and where the kept tail starts. */
  compact: { context: ContextView; through: number };
}

/**
 * A final reply checked against the agent's output schema: the parsed value
 * (by key, with its beginning, when too large for history), or what is wrong.
 */
export type CheckedOutput = { valid: true; value: unknown } | { valid: true; valueRef: string; preview: string } | { valid: false; problem: string };

/** The call would not fit in its allowance and was not made. */
export interface ModelCallRefused {
  /** The transcript including `append`. */
  transcript: TranscriptRef;
  refused: { limit: 'tokens' | 'usd'; reason: string; inputTokens: number };
}

export type CallModelOutput = ModelReply | ModelCallRefused | ContextFull;

export interface CompactContextInput {
  runId: string;
  trace?: StepTrace;
  specRef: string;
  transcript: TranscriptRef;
  context: ContextView;
  /** Messages before this index (the first aside) are folded into the summary. */
  through: number;
  allowance?: CallAllowance;
  inputCalibration?: number;
}

export type CompactContextOutput = { context: ContextView; usage: TokenUsage; responseModel?: string; estimatedInputTokens: number } | { refused: ModelCallRefused['refused'] };

/** Where a step sits in its run's trace: the activity makes it the active span context, so spans of its own nest there. */
export interface StepTrace {
  rootRunId: string;
  traceParent?: string;
}

export interface RunToolInput {
  runId: string;
  trace?: StepTrace;
  agent: string;
  toolCallId: string;
  toolName: string;
  /** Raw JSON from the model; parsed and validated inside the activity. */
  arguments: string;
  /** Arguments too large for history: read from the blob store instead of `arguments`. */
  argumentsRef?: string;
  /** A workflow running an internal tool needs the result itself, not just its key. */
  returnContent?: boolean;
  /** The run's `toolSettings`. */
  settings?: Record<string, string>;
  /** A tool of one of the agent's MCP servers. */
  mcp?: { server: string; tool: string };
}

export interface RunToolOutput {
  contentRef: string;
  isError: boolean;
  bytes: number;
  /** The first few hundred characters, for status views and the audit log. */
  preview: string;
  /** With `returnContent`. */
  content?: string;
  /** An MCP tool whose server could not be reached, after the call's retries: it counts towards the run's breaker. */
  unavailable?: boolean;
}

/** What came back for an asynchronous tool call: a result, or the error the model is told. */
export interface FinishAsyncToolInput {
  agent: string;
  toolName: string;
  result: unknown;
  isError: boolean;
}

export interface PrepareToolCallInput {
  agent: string;
  toolName: string;
  arguments: string;
  argumentsRef?: string;
  mcp?: { server: string; tool: string };
}

/**
 * Arguments checked before a person is asked to approve them, and whether approval is needed
 * at all. Checked arguments too large for history come back as `argumentsPreview` instead.
 */
export type PrepareToolCallOutput = { ok: true; arguments?: unknown; argumentsPreview?: string; needsApproval: boolean } | { ok: false; error: string };

export interface CairnActivities {
  /** The agent's spec; with `model`, running on that model instead of its own. */
  resolveAgent(request: string | { name: string; model?: string }): Promise<ResolvedAgent>;
  callModel(input: CallModelInput): Promise<CallModelOutput>;
  /** Summarises the oldest turns of a conversation that no longer fits the model's window. */
  compactContext(input: CompactContextInput): Promise<CompactContextOutput>;
  runTool(input: RunToolInput): Promise<RunToolOutput>;
  /** Starts an asynchronous tool; completes (from outside, later) with its result. */
  startAsyncTool(input: RunToolInput): Promise<unknown>;
  finishAsyncTool(input: FinishAsyncToolInput): Promise<RunToolOutput>;
  prepareToolCall(input: PrepareToolCallInput): Promise<PrepareToolCallOutput>;
}

/** Failure types the workflow must not retry. */
export const nonRetryableFailureTypes = ['UnknownAgent', 'ModelFatal', 'MissingApiKey', 'InvalidDefinition', 'AsyncToolNotStarted', 'AsyncToolFailed'] as const;
