import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { AgentDefinition } from '../agent/define-agent.ts';
import type { ModelCallProgress } from '../activity-contract.ts';
import { parseModelCallProgress } from '../activities/model-call-progress.ts';
import {
  Client,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowExecutionDescription,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter, WorkflowNotFoundError, TypedSearchAttributes } from '@temporalio/common';
import { asyncCallActivityId } from '../async-tools/activity-id.ts';
// A CommonJS package: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { CairnError, UnknownRunError } from '../errors.ts';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import { zeroUsage } from '../messages.ts';
import type { AgentRunInput, AgentRunResult, RunOptions, RunStatus } from '../workflow/run-types.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { addBudgetSignal, answerSignal, answerUpdate, approveSignal, decideUpdate, denySignal, statusQuery } from '../workflow/definitions.ts';
import type { Amount } from '../budget/budget-ledger.ts';
import type { PendingItem } from '../workflow/human-inbox.ts';
import { parseAmount, parseAnswer, parseDecision } from '../workflow/payloads.ts';
import { choosePending, type InboxItem } from './human-input.ts';
import { usageFromHistory } from './history-usage.ts';
import { queuedDecisionIds } from './queued-decisions.ts';
import { fetchDecodedHistory } from './decoded-history.ts';
import { listExecutions } from './list-executions.ts';
import { formatBytes } from '../transcript/claim-check.ts';
import { runDetails, runSummary } from '../workflow/summaries.ts';
import { readRunRecord, type RunRecord } from './run-record.ts';
import { findRunsOnBuild, planBadBuildRewind, planRewindToTurn, rewind, type RewindPoint, type RewoundRun, type RunOnBuild } from './rewind.ts';
import { context, isSpanContextValid, trace, TraceFlags } from '@opentelemetry/api';

/**
 * What became of an answer or decision: `confirmed` when a worker checked and
 * applied it; `queued` when no worker answered, so it waits in the run's history
 * as a signal and is checked when a worker runs (a rejection then shows in
 * `status.rejected`).
 */
export type Delivery = 'confirmed' | 'queued';

export type StartOptions = RunOptions & { runId?: string; traceParent?: string };

/** A typed agent's input as the run's first message: checked against its schema here, before anything starts, and sent as JSON. */
function inputOf(agent: AgentDefinition, input: unknown): string {
  if (!agent.input) return String(input);
  const parsed = agent.input.safeParse(input);
  if (!parsed.success) {
    throw new CairnError(`The input does not match the input schema of agent '${agent.name}': ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`, { hint: 'Pass an input that matches the schema given to defineAgent({ input }).' });
  }
  return JSON.stringify(parsed.data);
}

/** A run's status with the status of each of its sub-agent runs, recursively. */
export type RunTree = RunStatus & { childStatuses: RunTree[] };

/** How long a status query may wait for a worker before the status is read from visibility instead. */
const queryWaitMs = 5_000;

/** How long a checked update may wait for a worker before the answer goes as a signal instead. */
/** What an asynchronous call may be completed with: its result passes through history once. */
const maxCompletionBytes = 256 * 1024;
const updateWaitMs = 5_000;

/**
 * The largest run input sent inline. Temporal refuses payloads over 2 MiB (and
 * warns from 512 KiB); the input is also the first model call's input, so it
 * must leave room in history for everything else.
 */
export const maxInlineInputBytes = 1024 * 1024;
/** Inputs above this are stored in the blob store when the client has it. */
const storeInputAboveBytes = 64 * 1024;
/** Even stored, an input must fit a model's context: no model reads more than this. */
export const maxStoredInputBytes = 64 * 1024 * 1024;

export interface RunSummary {
  runId: string;
  agent?: string;
  /** Cairn's state while running; Temporal's status name once closed. */
  state: string;
  temporalStatus: string;
  startedAt: Date;
  closedAt?: Date;
}

/** A run just started; `Output` types what `result` returns for it. */
export interface StartedRun<Output = unknown> {
  runId: string;
  /** The run in the Temporal Web UI, when the UI's address is known. */
  uiUrl?: string;
  /** Types only, never set. */
  readonly types?: { output: Output };
}

export interface CairnClientOptions {
  taskQueue: string;
  /** Base address of the Temporal Web UI, for links. */
  uiBaseUrl?: string;
  /**
   * The blob store the task queue's workers share, when this client can reach
   * it: a large run input is then stored there and the run gets its key, as
   * tool results are, instead of carrying it through history.
   */
  blobs?: BlobStore;
}

/** Starts, inspects, lists and cancels runs. Runs are identified by their workflow id. */
export class CairnClient {
  constructor(
    readonly temporal: Client,
    private readonly options: CairnClientOptions,
  ) {}

  get taskQueue(): string {
    return this.options.taskQueue;
  }

  /**
   * Starts a run. Started inside an OpenTelemetry span (or given `traceParent`), the run's
   * trace continues that span's.
   */
  async start<Input, Output>(agent: AgentDefinition<Input, Output>, input: Input, options?: StartOptions): Promise<StartedRun<Output>>;
  async start(agent: string, input: string, options?: StartOptions): Promise<StartedRun>;
  async start(agentOrName: string | AgentDefinition, given: unknown, options: StartOptions = {}): Promise<StartedRun> {
    const agent = typeof agentOrName === 'string' ? agentOrName : agentOrName.name;
    const input = typeof agentOrName === 'string' ? String(given) : inputOf(agentOrName, given);
    const { runId = newRunId(agent), traceParent = activeTraceParent(), ...runOptions } = options;
    if (input.trim() === '') throw new CairnError('The input is empty: the agent has nothing to do.', { hint: 'Say what the agent should do.' });
    const bytes = Buffer.byteLength(input);
    const limit = this.options.blobs ? maxStoredInputBytes : maxInlineInputBytes;
    if (bytes > limit) {
      throw new CairnError(`The input is ${formatBytes(bytes)}; a run's input may be at most ${formatBytes(limit)}${this.options.blobs ? '' : ' when this client cannot reach the workers\' blob store'}.`, {
        hint: 'Put the material in a file or a corpus folder the agent reads with a tool, and give it a short task that names it.',
      });
    }
    // Large inputs go through the claim check, as tool results do: history holds their key.
    const runInput: AgentRunInput = {
      ...(this.options.blobs && bytes > storeInputAboveBytes ? { agent, input: input.slice(0, 200), inputRef: await this.options.blobs.put(input) } : { agent, input }),
      options: runOptions,
      ...(traceParent ? { traceParent } : {}),
    };
    return this.startWorkflow('agentWorkflow', runInput, { runId, agent, summary: input, model: runOptions.model, budget: runOptions.budget });
  }

  /**
   * Starts any workflow the workers serve (a job of the config's `workflowModules`, such as
   * `deepResearchWorkflow`) as a run listed under `agent`, with its Web UI summary and details.
   */
  async startWorkflow(
    workflowType: string,
    input: unknown,
    options: { runId: string; agent: string; summary: string; model?: string; budget?: Record<string, number | undefined> },
  ): Promise<StartedRun> {
    const { runId, agent } = options;
    await this.temporal.workflow.start(workflowType, {
      workflowId: runId,
      taskQueue: this.options.taskQueue,
      args: [input],
      staticSummary: runSummary(agent, options.summary),
      staticDetails: runDetails({ agent, model: options.model, budget: options.budget, taskQueue: this.options.taskQueue }),
      typedSearchAttributes: new TypedSearchAttributes([
        { key: CairnSearchAttributes.agent, value: agent },
        { key: CairnSearchAttributes.state, value: 'starting' },
      ]),
    });
    return { runId, uiUrl: this.uiUrl(runId) };
  }

  /**
   * Whether any worker polls this client's task queue for workflow tasks. A run
   * started on a queue nobody polls waits forever at 'starting'; the server
   * knows a queue's recent pollers, so this tells at once.
   */
  async hasWorkers(): Promise<boolean> {
    const { pollers } = await this.temporal.workflowService.describeTaskQueue({
      namespace: this.temporal.options.namespace,
      taskQueue: { name: this.options.taskQueue },
      taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return (pollers ?? []).length > 0;
  }

  uiUrl(runId: string): string | undefined {
    if (!this.options.uiBaseUrl) return undefined;
    return `${this.options.uiBaseUrl}/namespaces/${encodeURIComponent(this.temporal.options.namespace)}/workflows/${encodeURIComponent(runId)}`;
  }

  /**
   * Waits for the run to end. A failed run throws a CairnError with the failure's message.
   * An answer too large for history is read whole from the blob store when this client has it.
   */
  async result<Output = unknown>(run: string | StartedRun<Output>): Promise<AgentRunResult<Output>> {
    const runId = typeof run === 'string' ? run : run.runId;
    await this.describe(runId);
    let result: AgentRunResult<Output>;
    try {
      result = (await this.temporal.workflow.getHandle(runId).result()) as AgentRunResult<Output>;
    } catch (error) {
      throw runFailure(runId, error);
    }
    return this.withWholeOutput(result);
  }

  /**
   * What the run's model is writing right now, when the run streams (`RunOptions.stream`):
   * the turn, how many characters so far and the last of them. Read from the model call's
   * heartbeats (at most a second behind), never from history; undefined between calls.
   */
  async streamedText(runId: string): Promise<ModelCallProgress | undefined> {
    const { raw } = await this.temporal.workflow.getHandle(runId).describe();
    const call = raw.pendingActivities?.find((activity) => activity.activityType?.name === 'callModel' && activity.heartbeatDetails?.payloads?.length);
    let payloads = call?.heartbeatDetails?.payloads ?? [];
    if (payloads.length === 0) return undefined;
    for (const codec of [...this.temporal.options.loadedDataConverter.payloadCodecs].reverse()) payloads = await codec.decode(payloads);
    return parseModelCallProgress(defaultPayloadConverter.fromPayload(payloads[0]!));
  }

  /** What history holds by key (a large answer, a large structured value), read whole when this client has the blob store. */
  private async withWholeOutput<T extends { output: string; outputRef?: string; value?: unknown; valueRef?: string }>(result: T): Promise<T> {
    if (!this.options.blobs) return result;
    const output = result.outputRef ? await this.options.blobs.get(result.outputRef) : result.output;
    return { ...result, output, ...(result.valueRef ? { value: JSON.parse(result.valueRef === result.outputRef ? output : await this.options.blobs.get(result.valueRef)) } : {}) };
  }

  /** The run turn by turn, from its history and (for what history holds by key) this client's blob store. */
  async record(runId: string, options: { depth?: number; execution?: string } = {}): Promise<RunRecord> {
    await this.describe(runId);
    if (options.execution) {
      await this.temporal.workflow
        .getHandle(runId, options.execution)
        .describe()
        .catch((error: unknown) => {
          // A run id that is not one at all is refused as an invalid argument (gRPC code 3) rather than not found.
          const invalid = (error as { cause?: { code?: number } }).cause?.code === 3;
          if (!(error instanceof WorkflowNotFoundError) && !invalid) throw error;
          throw new CairnError(`Run '${runId}' has no execution '${options.execution}'.`, { hint: `cairn show ${runId} names the executions its rewinds left behind.` });
        });
    }
    return readRunRecord(this.temporal, runId, { blobs: this.options.blobs, depth: options.depth, execution: options.execution });
  }

  async status(runId: string): Promise<RunStatus> {
    const info = await this.describe(runId);
    const handle = this.temporal.workflow.getHandle(runId);
    const base: RunStatus = {
      runId,
      agent: agentOf(info) ?? 'unknown',
      state: 'failed',
      turn: 0,
      usage: zeroUsage(),
      startedAt: info.startTime.getTime(),
      toolCalls: [],
      pending: [],
      children: [],
      rejected: [],
    };
    if (info.status.name === 'RUNNING') {
      try {
        return await this.temporal.connection.withDeadline(Date.now() + queryWaitMs, () => handle.query(statusQuery));
      } catch {
        // Only a worker answers queries. Without one, what the run published and its history still tell a lot.
        const state = info.typedSearchAttributes.get(CairnSearchAttributes.state);
        const history = await fetchDecodedHistory(this.temporal, runId);
        const { turns, usage } = usageFromHistory(history);
        const queued = queuedDecisionIds(history);
        const pending = pendingOf(info);
        return {
          ...base,
          state: (state === undefined ? 'starting' : String(state)) as RunStatus['state'],
          turn: turns,
          usage,
          pending,
          rejected: rejectedOf(info),
          queuedDecisions: pending.filter((item) => queued.has(item.id)).map((item) => item.id),
          workerUnavailable: true,
        };
      }
    }
    if (info.status.name === 'COMPLETED') {
      const result = await this.withWholeOutput((await handle.result()) as AgentRunResult);
      return {
        ...base,
        state: result.status,
        turn: result.turns,
        usage: result.usage,
        output: result.output,
        children: result.children ?? [],
        budget: result.budget,
        exhaustedLimit: result.exhaustedLimit,
      };
    }
    // No result to read: what the run did is in its history (this run's own model calls; sub-agents have their own).
    const { turns, usage } = usageFromHistory(await fetchDecodedHistory(this.temporal, runId));
    const ended = { ...base, turn: turns, usage };
    if (info.status.name === 'CANCELLED') return { ...ended, state: 'cancelled' };
    let reason = info.status.name.toLowerCase();
    try {
      await handle.result();
    } catch (error) {
      reason = runFailure(runId, error).message;
    }
    return { ...ended, state: 'failed', output: reason };
  }

  /** The run's status and, recursively, its sub-agents'. */
  async statusTree(runId: string): Promise<RunTree> {
    const status = await this.status(runId);
    const childStatuses = await Promise.all(status.children.filter((child) => child.state !== 'queued').map((child) => this.statusTree(child.runId)));
    return { ...status, childStatuses };
  }

  /** What the run waits for from people. Read from the run's memo, so it works while no worker runs. */
  async pending(runId: string): Promise<PendingItem[]> {
    return pendingOf(await this.describe(runId));
  }

  /** What a running run waits for; a run that ended waits for nothing, and answering it is a mistake to name. */
  private async pendingOfRunning(runId: string): Promise<PendingItem[]> {
    const info = await this.describe(runId);
    if (info.status.name !== 'RUNNING') {
      throw new CairnError(`Run '${runId}' is ${info.status.name.toLowerCase()}: it waits for no answer or decision any more.`, {
        hint: `See how it ended with 'cairn status ${runId}', or what is still waiting with 'cairn inbox'.`,
      });
    }
    return pendingOf(info);
  }

  /**
   * Every pending question and approval across all runs, sub-agent runs included, oldest first.
   * A waiting run whose memo this client cannot decode (encrypted with a key it lacks) lists nothing.
   */
  async inbox(): Promise<InboxItem[]> {
    const items: InboxItem[] = [];
    const query = `${CairnSearchAttributes.waitingForHuman.name} = true AND ExecutionStatus = 'Running'`;
    for await (const info of listExecutions(this.temporal, query, { memo: true })) {
      const parentRunId = info.typedSearchAttributes.get(CairnSearchAttributes.parentRun);
      const rejected = rejectedOf(info);
      for (const item of pendingOf(info)) {
        items.push({
          ...item,
          runId: info.workflowId,
          agent: agentOf(info),
          parentRunId: parentRunId === undefined ? undefined : String(parentRunId),
          ...(rejected.length > 0 ? { rejected } : {}),
        });
      }
    }
    return items.sort((a, b) => a.askedAt - b.askedAt);
  }

  /** Answers a pending question; with no id, the run must have exactly one. Returns the question answered. */
  async answer(runId: string, answer: string, questionId?: string, options: { person?: string } = {}): Promise<PendingItem & { delivery: Delivery }> {
    if (answer.trim() === '') throw new CairnError('The answer is empty.');
    const question = choosePending(runId, await this.pendingOfRunning(runId), 'question', questionId);
    const input = checked(() => parseAnswer({ questionId: question.id, answer, ...(options.person ? { person: options.person } : {}) }));
    const delivery = await this.deliver(runId, question, (handle) => handle.executeUpdate(answerUpdate, { args: [input] }), (handle) => handle.signal(answerSignal, input));
    return { ...question, delivery };
  }

  /** Approves (optionally with edited arguments) or denies a pending tool call. */
  async decide(runId: string, decision: { callId?: string; approved: boolean; arguments?: unknown; reason?: string; person?: string }): Promise<PendingItem & { delivery: Delivery }> {
    const approval = choosePending(runId, await this.pendingOfRunning(runId), 'approval', decision.callId);
    const input = checked(() =>
      parseDecision({ callId: approval.id, approved: decision.approved, arguments: decision.arguments, reason: decision.reason, ...(decision.person ? { person: decision.person } : {}) }),
    );
    const delivery = await this.deliver(
      runId,
      approval,
      (handle) => handle.executeUpdate(decideUpdate, { args: [input] }),
      (handle) =>
        decision.approved ? handle.signal(approveSignal, { callId: input.callId, arguments: input.arguments }) : handle.signal(denySignal, { callId: input.callId, reason: input.reason }),
    );
    return { ...approval, delivery };
  }

  /**
   * Completes an asynchronous tool call with its result (any JSON, at most 256 KB), or fails it
   * with a message for the model. No worker needs to run: the server keeps it for the run.
   */
  async completeToolCall(runId: string, callId: string, outcome: { result: unknown } | { error: string }): Promise<PendingItem> {
    const call = choosePending(runId, await this.pendingOfRunning(runId), 'async_call', callId);
    if ('error' in outcome && (typeof outcome.error !== 'string' || outcome.error.trim() === '')) throw new CairnError('The failure message is empty.', { hint: 'Say what went wrong: the model is told.' });
    const bytes = Buffer.byteLength(JSON.stringify('result' in outcome ? outcome.result : outcome.error) ?? '');
    if (bytes > maxCompletionBytes) {
      throw new CairnError(`The result is ${formatBytes(bytes)}; an asynchronous tool call takes at most ${formatBytes(maxCompletionBytes)}.`, {
        hint: 'Store large output where the agent can read it (a file, a URL, a blob) and complete the call with its address.',
      });
    }
    const activity = { workflowId: runId, activityId: asyncCallActivityId(call.id) };
    try {
      if ('result' in outcome) await this.temporal.activity.complete(activity, outcome.result);
      else await this.temporal.activity.fail(activity, ApplicationFailure.create({ type: 'AsyncToolFailed', message: outcome.error, nonRetryable: true }));
    } catch (error) {
      if ((error as Error).name === 'ActivityNotFoundError') {
        throw new CairnError(`Tool call '${callId}' of run '${runId}' is no longer waiting: it was completed or timed out a moment ago.`, { hint: `See what it got with 'cairn show ${runId}'.` });
      }
      throw error;
    }
    return call;
  }

  /**
   * Sends a checked update, so a wrong id comes back as an error. An update needs
   * a worker to check it; when none answers in time the same input goes as a
   * signal, which the server keeps until a worker runs (the workflow resolves
   * each id once, so the two can never both apply). A signal is sent only when
   * none is already queued for the same item, so no answer is dropped unseen.
   */
  private async deliver(
    runId: string,
    item: PendingItem,
    update: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<unknown>,
    signal: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>,
  ): Promise<Delivery> {
    const handle = this.temporal.workflow.getHandle(runId);
    try {
      await this.temporal.connection.withDeadline(Date.now() + updateWaitMs, () => update(handle));
      return 'confirmed';
    } catch (error) {
      if (error instanceof WorkflowUpdateFailedError) throw new CairnError(error.cause?.message ?? error.message, { cause: error });
    }
    if (queuedDecisionIds(await fetchDecodedHistory(this.temporal, runId)).has(item.id)) {
      const noun = item.kind === 'question' ? 'An answer to question' : 'A decision on';
      throw new CairnError(`${noun} '${item.id}' of run '${runId}' is already queued; this one was not sent.`, {
        hint: `No worker is running to apply it yet. Start one ('cairn worker'); 'cairn status ${runId}' then shows what was taken.`,
      });
    }
    await signal(handle);
    return 'queued';
  }

  /** Tops a run's budget up; a run waiting for more (its agent asks on exhaustion) carries on. */
  async addBudget(runId: string, amount: Amount): Promise<void> {
    try {
      parseAmount(amount);
    } catch (error) {
      throw new CairnError(`A budget top-up needs a positive amount, got ${JSON.stringify(amount)}: ${(error as Error).message}`, { hint: 'For example 200k (tokens) or $2 (USD).' });
    }
    const info = await this.describe(runId);
    if (info.status.name !== 'RUNNING') throw new CairnError(`Run '${runId}' is not running (it is ${info.status.name.toLowerCase()}); its budget can no longer change.`);
    await this.temporal.workflow.getHandle(runId).signal(addBudgetSignal, amount);
  }

  /** Top-level runs, newest first. `workflowTypes` adds jobs of your own workflows to the agent runs. */
  async list(options: { limit?: number; query?: string; workflowTypes?: string[] } = {}): Promise<RunSummary[]> {
    const runs: RunSummary[] = [];
    const types = options.workflowTypes ?? ['agentWorkflow'];
    const query = options.query ?? `(${types.map((type) => `WorkflowType = '${type}'`).join(' OR ')}) AND ${CairnSearchAttributes.parentRun.name} IS NULL`;
    for await (const info of listExecutions(this.temporal, query, { memo: false })) {
      runs.push({
        runId: info.workflowId,
        agent: agentOf(info),
        state: info.status === 'RUNNING' ? String(info.typedSearchAttributes.get(CairnSearchAttributes.state) ?? 'running') : info.status.toLowerCase(),
        temporalStatus: info.status,
        startedAt: info.startTime,
        closedAt: info.closeTime,
      });
      if (runs.length >= (options.limit ?? 50)) break;
    }
    return runs;
  }

  async cancel(runId: string): Promise<void> {
    const info = await this.describe(runId);
    if (info.status.name !== 'RUNNING') {
      throw new CairnError(`Run '${runId}' is not running (it is ${info.status.name.toLowerCase()}).`);
    }
    await this.temporal.workflow.getHandle(runId).cancel();
  }

  /** Where a rewind to the end of `turn` would reset the run; throws, saying why, where it cannot. */
  async planRewind(runId: string, turn: number): Promise<RewindPoint> {
    await this.describe(runId);
    return planRewindToTurn(this.temporal, runId, turn);
  }

  /** Resets the run to the point (`planRewind`, `planBadBuildRewind`): it goes on from there on the workers running now. */
  async rewind(point: RewindPoint, options: { reason: string }): Promise<RewoundRun> {
    return rewind(this.temporal, point, options);
  }

  /** Root runs that took a step on `buildId` (themselves or through sub-agents), open or closed since `closedSince`. */
  async runsOnBuild(buildId: string, options: { closedSince?: Date; agent?: string } = {}): Promise<RunOnBuild[]> {
    return findRunsOnBuild(this.temporal, buildId, options);
  }

  /** Where a run must be reset so the current workers redo what `buildId` did; `undefined` when nothing is left to redo. */
  async planBadBuildRewind(run: RunOnBuild, buildId: string): Promise<RewindPoint | undefined> {
    return planBadBuildRewind(this.temporal, run, buildId);
  }

  async describe(runId: string): Promise<WorkflowExecutionDescription> {
    try {
      return await this.temporal.workflow.getHandle(runId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new UnknownRunError(runId);
      throw error;
    }
  }
}

/** A payload checked with the workflow's own schema, so a bad one fails here with the same words. */
function checked<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new CairnError((error as Error).message);
  }
}

function pendingOf(info: { memo?: Record<string, unknown> }): PendingItem[] {
  const pending = info.memo?.pending;
  return Array.isArray(pending) ? (pending as PendingItem[]) : [];
}

function rejectedOf(info: { memo?: Record<string, unknown> }): RunStatus['rejected'] {
  const rejected = info.memo?.rejected;
  return Array.isArray(rejected) ? (rejected as RunStatus['rejected']) : [];
}

function agentOf(info: Pick<WorkflowExecutionInfo, 'typedSearchAttributes'>): string | undefined {
  const agent = info.typedSearchAttributes.get(CairnSearchAttributes.agent);
  return agent === undefined ? undefined : String(agent);
}

function runFailure(runId: string, error: unknown): Error {
  if (error instanceof WorkflowFailedError) {
    let cause: Error | undefined = error.cause;
    // The useful message is the innermost one: activity failure → application failure.
    while (cause?.cause instanceof Error) cause = cause.cause;
    return new CairnError(`Run '${runId}' failed: ${cause?.message ?? error.message}`, { cause: error });
  }
  return error as Error;
}

/** The W3C `traceparent` of the caller's active span, if it has one. */
function activeTraceParent(): string | undefined {
  const span = trace.getSpanContext(context.active());
  if (!span || !isSpanContextValid(span)) return undefined;
  return `00-${span.traceId}-${span.spanId}-0${span.traceFlags & TraceFlags.SAMPLED}`;
}

export function newRunId(agent: string): string {
  return `${agent}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
