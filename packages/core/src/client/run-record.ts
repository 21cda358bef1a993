/**
 * A run turn by turn, read from what Temporal recorded (its history, across
 * continue-as-new) and, where history holds a key, from the blob store: what the
 * model said each turn and what it cost, each tool call with its arguments and
 * result, questions with their answers, approvals with their decisions, and
 * sub-agent runs nested. `cairn show` prints it; a web view can render the same.
 */
import { fetchDecodedHistory } from './decoded-history.ts';
import { eventTime, resetOf, workflowTaskBuildId } from './history-builds.ts';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { CallModelInput, CallModelOutput, CompactContextInput, CompactContextOutput, PrepareToolCallInput, PrepareToolCallOutput, ResolvedAgent, RunToolInput, RunToolOutput } from '../activity-contract.ts';
import type { AgentSpec } from '../agent/spec.ts';
import { defaultBudgetPolicy } from '../budget/budget-policy.ts';
import { costOf } from '../budget/prices.ts';
import { addUsage, zeroUsage, type StopReason, type TokenUsage } from '../messages.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { personNamePattern } from '../workflow/payloads.ts';
import { claimedTextNote } from '../transcript/claim-check.ts';
import type { AgentRunInput, AgentRunResult } from '../workflow/run-types.ts';
import { firstPayload } from './history-payloads.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
type Payloads = temporal.api.common.v1.IPayloads | null | undefined;

export interface RunRecord {
  runId: string;
  agent: string;
  /** How the run ended (`completed`, `failed`, …), or `running`. */
  state: string;
  model?: string;
  input: string;
  output?: string;
  /** Why a failed run failed. */
  error?: string;
  startedAt: string;
  closedAt?: string;
  /** This run's own model calls; sub-agents are counted in their own records. */
  usage: TokenUsage;
  costUsd?: number;
  /** The run's limits as it started, with any top-ups. */
  budget: { tokens: number; usd?: number };
  turns: TurnRecord[];
  /** Sub-agent runs not started by a tool call: the steps of a job such as deep research. */
  steps?: { runId: string; agent: string; state: string }[];
  /** How many histories the run spans (it continues as new to keep each one small). */
  histories: number;
  /** The Temporal execution this record was read from (its latest history). */
  execution: string;
  /** Each time the run was rewound (`cairn rewind`): the execution it left behind, kept as the record. */
  rewinds?: { fromExecution: string; afterTurn: number; reason: string; at: string }[];
  /**
   * Each time the conversation outgrew the model's window and its oldest messages were
   * summarised, by a model call of its own. The turns above still show every message.
   */
  compactions?: { afterTurn: number; summarizedMessages: number; usage: TokenUsage; costUsd?: number }[];
}

export interface TurnRecord {
  turn: number;
  /** What the model wrote besides its tool calls (its answer, on the last turn). */
  text: string;
  stopReason: StopReason;
  /** The wrap-up call the budget allowed: no tools, answer now. */
  wrapUp?: boolean;
  /** The build of the worker that decided this turn's model call. */
  buildId?: string;
  usage: TokenUsage;
  costUsd?: number;
  /** What the run had used after this turn (itself and its settled sub-agents), against its limits then. */
  budgetAfter: { tokens: number; tokenLimit: number; usd?: number; usdLimit?: number };
  toolCalls: ToolCallRecord[];
}

export interface ToolCallRecord {
  id: string;
  name: string;
  kind: 'tool' | 'question' | 'delegation';
  arguments: string;
  /** What the model was handed back; absent while the call is in flight. */
  result?: string;
  isError?: boolean;
  /** For a gated tool: what was decided, and by whom (`pending` while nobody has). */
  approval?: { state: 'pending' | 'approved' | 'denied'; by?: 'person' | 'timeout'; reason?: string; editedArguments?: unknown; person?: string };
  /** For a question: who answered. */
  answeredBy?: 'person' | 'default';
  /** Who answered the question, when their client said (the console's token name). */
  answeredByName?: string;
  /** For a delegation: the sub-agent's run, whole when depth allows, else its id, agent and state. */
  child?: RunRecord | { runId: string; agent: string; state: string };
}

export interface ReadRunRecordOptions {
  /** Where history holds a key (large values, tool results), the whole value is read from here. */
  blobs?: BlobStore;
  /** How many levels of sub-agents to include whole. Default 1. */
  depth?: number;
  /** One Temporal execution of the run (such as one a rewind left behind) rather than its latest. */
  execution?: string;
}

/** The run's record; a run that does not exist throws Temporal's not-found error. */
export async function readRunRecord(client: Client, runId: string, options: ReadRunRecordOptions = {}): Promise<RunRecord> {
  const depth = options.depth ?? 1;
  const histories = await historyChain(client, runId, options.execution);
  const description = await client.workflow.getHandle(runId, options.execution).describe();
  const reader = new RecordReader(runId, options.blobs);
  for (const history of histories) await reader.read(history.events ?? []);
  const record = reader.record(histories.length, description.status.name, description.closeTime?.toISOString(), description.runId);
  await Promise.all(
    record.turns.flatMap((turn) => turn.toolCalls).map(async (call) => {
      if (call.kind !== 'delegation' || !call.child) return;
      if (depth > 0) call.child = await readRunRecord(client, call.child.runId, { ...options, depth: depth - 1 }).catch(() => call.child);
    }),
  );
  return record;
}

/**
 * The run's histories, first to latest: each continue-as-new starts a new one under the
 * same workflow id. Walked back from the latest, since a rewound execution's history
 * begins with a copy of the one it was reset from, and that one's successors are not its own.
 */
async function historyChain(client: Client, runId: string, execution?: string): Promise<temporal.api.history.v1.IHistory[]> {
  const chain = [await fetchDecodedHistory(client, runId, execution)];
  // Bounded: a chain longer than this is read from its last histories only.
  while (chain.length < 1_000) {
    const previous = chain[0]!.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) break;
    chain.unshift(await fetchDecodedHistory(client, runId, previous));
  }
  return chain;
}

/** The marker a local activity's result is recorded in. */
const localActivityMarker = 'core_local_activity';


/** Builds a record from history events, one history after another. */
class RecordReader {
  private agent = '';
  private spec?: AgentSpec;
  private input = '';
  private output?: string;
  private error?: string;
  private startedAt?: Date;
  private state?: string;
  private usage = zeroUsage();
  private cost = 0;
  private childTokens = 0;
  private childCost = 0;
  private limits = { tokens: 0, usd: undefined as number | undefined };
  private readonly turns: TurnRecord[] = [];
  private readonly calls = new Map<string, ToolCallRecord>();
  private readonly steps: { runId: string; agent: string; state: string }[] = [];
  private readonly rewinds: NonNullable<RunRecord['rewinds']> = [];
  private readonly compactions: NonNullable<RunRecord['compactions']> = [];

  constructor(
    private readonly runId: string,
    private readonly blobs: BlobStore | undefined,
  ) {}

  async read(events: readonly HistoryEvent[]): Promise<void> {
    // Ids of scheduled activities and initiated children are per history.
    const scheduled = new Map<string, { type: string; input: unknown; buildId?: string }>();
    const builds = new Map<string, string>();
    for (const event of events) {
      const id = String(event.eventId);
      const buildId = workflowTaskBuildId(event);
      if (buildId) builds.set(id, buildId);
      const reset = resetOf(event);
      if (reset) this.rewinds.push({ fromExecution: reset.baseExecution, afterTurn: this.turns.length, reason: reset.reason, at: new Date(eventTime(event)).toISOString() });
      if (event.workflowExecutionStartedEventAttributes) await this.started(firstPayload<AgentRunInput>(event.workflowExecutionStartedEventAttributes.input), event);
      const activity = event.activityTaskScheduledEventAttributes;
      if (activity) {
        const input = firstPayload<unknown>(activity.input);
        scheduled.set(id, { type: activity.activityType?.name ?? '', input, buildId: builds.get(String(activity.workflowTaskCompletedEventId)) });
        if (activity.activityType?.name === 'callModel') await this.toolResults((input as CallModelInput).append);
      }
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed) {
        const activityOf = scheduled.get(String(completed.scheduledEventId));
        if (activityOf) await this.activityCompleted(activityOf.type, activityOf.input, firstPayload<unknown>(completed.result), activityOf.buildId);
      }
      // The agent is resolved by a local activity in runs since 0.4: its result is in a marker, not an activity completion.
      const marker = event.markerRecordedEventAttributes;
      if (marker?.markerName === localActivityMarker) {
        const data = firstPayload<{ activity_type?: string }>(marker.details?.data);
        if (data?.activity_type) await this.activityCompleted(data.activity_type, undefined, firstPayload<unknown>(marker.details?.result));
      }
      this.humanInput(event);
      const childStarted = event.startChildWorkflowExecutionInitiatedEventAttributes;
      if (childStarted?.workflowId && !this.calls.has(childStarted.workflowId.slice(this.runId.length + 1))) {
        const childInput = firstPayload<AgentRunInput>(childStarted.input);
        this.steps.push({ runId: childStarted.workflowId, agent: childInput?.agent ?? childStarted.workflowType?.name ?? '', state: 'running' });
      }
      const childDone = event.childWorkflowExecutionCompletedEventAttributes;
      if (childDone) {
        const result = firstPayload<AgentRunResult>(childDone.result);
        this.childTokens += (result?.usage.inputTokens ?? 0) + (result?.usage.outputTokens ?? 0);
        this.childCost += result?.costUsd ?? 0;
        const call = this.calls.get(childDone.workflowExecution?.workflowId?.slice(this.runId.length + 1) ?? '');
        if (call?.child && result) call.child = { ...call.child, state: result.status };
        const step = this.steps.find((candidate) => candidate.runId === childDone.workflowExecution?.workflowId);
        if (step && result) step.state = result.status;
      }
      const completedRun = event.workflowExecutionCompletedEventAttributes;
      if (completedRun) {
        const result = firstPayload<AgentRunResult>(completedRun.result);
        if (result) {
          this.state = result.status;
          this.output = result.outputRef ? await this.text(result.output, result.outputRef) : result.output;
        }
      }
      const failed = event.workflowExecutionFailedEventAttributes;
      if (failed) this.error = innermostMessage(failed.failure);
    }
  }

  record(histories: number, temporalStatus: string, closedAt: string | undefined, execution: string): RunRecord {
    const state = temporalStatus === 'RUNNING' ? 'running' : temporalStatus === 'COMPLETED' ? (this.state ?? 'completed') : temporalStatus.toLowerCase().replace('timed_out', 'timed out');
    return {
      runId: this.runId,
      agent: this.spec?.name ?? this.agent,
      state,
      ...(this.spec ? { model: this.spec.model } : {}),
      input: this.input,
      ...(this.output !== undefined ? { output: this.output } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
      startedAt: (this.startedAt ?? new Date(0)).toISOString(),
      ...(closedAt ? { closedAt } : {}),
      usage: this.usage,
      ...(this.spec?.price ? { costUsd: this.cost } : {}),
      budget: { tokens: this.limits.tokens, ...(this.limits.usd !== undefined ? { usd: this.limits.usd } : {}) },
      turns: this.turns,
      ...(this.steps.length > 0 ? { steps: this.steps } : {}),
      histories,
      execution,
      ...(this.rewinds.length > 0 ? { rewinds: this.rewinds } : {}),
      ...(this.compactions.length > 0 ? { compactions: this.compactions } : {}),
    };
  }

  private async started(input: AgentRunInput | undefined, event: HistoryEvent): Promise<void> {
    if (!input) return;
    this.startedAt ??= event.eventTime?.seconds ? new Date(Number(String(event.eventTime.seconds)) * 1000) : undefined;
    if (input.resume) {
      this.useSpec(input.resume.spec, input);
      return; // a continued history: its input and turns are already read
    }
    // A job's own workflow (deep research) takes a question rather than an agent's input.
    const job = input as Partial<AgentRunInput> & { question?: string };
    this.agent = job.agent ?? event.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '';
    this.input = input.inputRef ? await this.text(input.input, input.inputRef) : (job.input ?? job.question ?? '');
    this.pendingInput = input;
  }

  /** The run input, kept until the spec (resolved by the first activity) says what the limits are. */
  private pendingInput?: AgentRunInput;

  private useSpec(spec: AgentSpec, input: AgentRunInput): void {
    this.spec = spec;
    const policy = spec.budget ?? defaultBudgetPolicy();
    const limits = input.budget
      ? { tokens: Math.min(policy.limits.tokens, input.budget.tokens), usd: spec.price ? input.budget.usd : undefined }
      : { ...policy.limits, ...input.options?.budget };
    if (this.limits.tokens === 0) this.limits = { tokens: limits.tokens, usd: limits.usd };
  }

  private async activityCompleted(type: string, input: unknown, output: unknown, buildId?: string): Promise<void> {
    switch (type) {
      case 'resolveAgent':
        if (this.pendingInput) this.useSpec((output as ResolvedAgent).spec, this.pendingInput);
        return;
      case 'callModel':
        return this.modelCall(input as CallModelInput, output as CallModelOutput, buildId);
      case 'compactContext': {
        const compacted = output as CompactContextOutput;
        if (!('usage' in compacted)) return;
        const costUsd = this.spec?.price ? costOf(compacted.usage, this.spec.price) : undefined;
        this.usage = addUsage(this.usage, compacted.usage);
        this.cost += costUsd ?? 0;
        this.compactions.push({ afterTurn: this.turns.length, summarizedMessages: (input as CompactContextInput).through, usage: compacted.usage, ...(costUsd !== undefined ? { costUsd } : {}) });
        return;
      }
      case 'prepareToolCall': {
        const prepared = output as PrepareToolCallOutput;
        if (!prepared.ok || !prepared.needsApproval) return;
        const call = this.lastTurnCall((candidate) => candidate.name === (input as PrepareToolCallInput).toolName && !candidate.approval);
        if (call) call.approval = { state: 'pending' };
        return;
      }
      case 'runTool': {
        const run = input as RunToolInput;
        const call = this.calls.get(run.toolCallId);
        if (!call) return;
        const result = output as RunToolOutput;
        if (call.approval?.state === 'pending') call.approval = { state: 'approved', by: 'timeout' };
        call.isError = result.isError;
        // The next model call hands the model the whole result; until then, what there is.
        call.result ??= this.blobs ? await this.blobs.get(result.contentRef).catch(() => result.preview) : result.preview;
        return;
      }
    }
  }

  private async modelCall(input: CallModelInput, output: CallModelOutput, buildId: string | undefined): Promise<void> {
    if ('refused' in output || 'compact' in output) return;
    const { message, usage, stopReason } = output;
    this.usage = addUsage(this.usage, usage);
    const costUsd = this.spec?.price ? costOf(usage, this.spec.price) : undefined;
    this.cost += costUsd ?? 0;
    const kinds = new Map(this.spec?.tools.map((tool) => [tool.name, tool.kind] as const));
    const toolCalls: ToolCallRecord[] = [];
    for (const call of message.toolCalls) {
      const kind = kinds.get(call.name) === 'ask_human' ? 'question' : kinds.get(call.name) === 'sub_agent' ? 'delegation' : 'tool';
      const tool = this.spec?.tools.find((candidate) => candidate.name === call.name);
      const record: ToolCallRecord = {
        id: call.id,
        name: call.name,
        kind,
        arguments: call.argumentsRef ? await this.text(call.arguments, call.argumentsRef, call.argumentsBytes) : call.arguments,
        ...(kind === 'delegation' && tool?.kind === 'sub_agent' ? { child: { runId: `${this.runId}.${call.id}`, agent: tool.agent, state: 'running' } } : {}),
      };
      this.calls.set(call.id, record);
      toolCalls.push(record);
    }
    const text = message.contentRef ? await this.text(message.content, message.contentRef, message.contentBytes) : message.content;
    this.turns.push({
      turn: input.turn ?? this.turns.length + 1,
      text,
      stopReason,
      ...(input.withoutTools ? { wrapUp: true } : {}),
      ...(buildId ? { buildId } : {}),
      usage,
      ...(costUsd !== undefined ? { costUsd } : {}),
      budgetAfter: {
        tokens: this.usage.inputTokens + this.usage.outputTokens + this.childTokens,
        tokenLimit: this.limits.tokens,
        ...(this.limits.usd !== undefined ? { usd: this.cost + this.childCost, usdLimit: this.limits.usd } : {}),
      },
      toolCalls,
    });
  }

  /** What the model was handed for each call of the last turn: the next model call's input carries it. */
  private async toolResults(append: CallModelInput['append']): Promise<void> {
    for (const entry of append) {
      if (entry.role !== 'tool') continue;
      const call = this.calls.get(entry.toolCallId);
      if (!call) continue;
      call.isError = entry.isError;
      call.result = 'content' in entry ? entry.content : this.blobs ? (await this.blobs.get(entry.contentRef).catch(() => call.result ?? '')) + (entry.suffix ?? '') : (call.result ?? `(stored as blob ${entry.contentRef})`);
      if (call.kind === 'question') call.answeredBy ??= 'default';
      if (call.approval?.state === 'pending') call.approval = { state: entry.isError ? 'denied' : 'approved', by: 'timeout' };
    }
  }

  /** Answers and decisions, by signal or update: matched to their calls by id. */
  private humanInput(event: HistoryEvent): void {
    const signal = event.workflowExecutionSignaledEventAttributes;
    const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    const name = signal?.signalName ?? update?.name;
    const payload = firstPayload<Record<string, unknown>>(signal ? signal.input : update?.args);
    if (!name || !payload) return;
    if (name === 'addBudget') {
      if (typeof payload.tokens === 'number' && payload.tokens > 0) this.limits.tokens += payload.tokens;
      if (typeof payload.usd === 'number' && payload.usd > 0 && this.limits.usd !== undefined) this.limits.usd += payload.usd;
      return;
    }
    const call = this.calls.get(String(payload.questionId ?? payload.callId ?? ''));
    if (!call) return;
    // A signal in history may be one the run refused: only a name the run could have taken is shown.
    const who = typeof payload.person === 'string' && personNamePattern.test(payload.person) ? payload.person : undefined;
    if (name === 'answer' || name === 'answerQuestion') {
      call.answeredBy = 'person';
      if (who) call.answeredByName = who;
    }
    const approved = name === 'approve' ? true : name === 'deny' ? false : name === 'decideApproval' ? payload.approved === true : undefined;
    if (approved === undefined || (call.approval && call.approval.state !== 'pending')) return;
    call.approval = {
      state: approved ? 'approved' : 'denied',
      by: 'person',
      ...(typeof payload.reason === 'string' ? { reason: payload.reason } : {}),
      ...(approved && payload.arguments !== undefined ? { editedArguments: payload.arguments } : {}),
      ...(who ? { person: who } : {}),
    };
  }

  private lastTurnCall(matches: (call: ToolCallRecord) => boolean): ToolCallRecord | undefined {
    return this.turns.at(-1)?.toolCalls.find(matches);
  }

  /** A value history holds by key: whole from the blob store when there is one, else its beginning and where the rest is. */
  private async text(beginning: string, ref: string, bytes?: number): Promise<string> {
    if (this.blobs) {
      const whole = await this.blobs.get(ref).catch(() => undefined);
      if (whole !== undefined) return whole;
    }
    return `${beginning}\n${claimedTextNote(bytes ?? Buffer.byteLength(beginning), ref)}`;
  }
}

function innermostMessage(failure: temporal.api.failure.v1.IFailure | null | undefined): string {
  let current = failure;
  while (current?.cause) current = current.cause;
  return current?.message ?? failure?.message ?? 'failed';
}
