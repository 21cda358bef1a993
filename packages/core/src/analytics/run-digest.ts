/**
 * What `cairn stats` needs of one Temporal execution of a run, read from its decoded
 * history alone (no blob reads): its model calls with their usage and cost, its tool
 * calls with latency, errors, failures and retries, how long it waited for people, and
 * how it ended. Small and plain, so it can be cached per execution.
 *
 * Each call carries the id of the event that ended it: a rewound execution's history
 * begins with a copy of the one it was reset from, and the ids tell copies from work
 * done only in the execution left behind (`run-stats.ts`).
 */
import type { temporal } from '@temporalio/proto';
import type { CallModelInput, CallModelOutput, CompactContextOutput, PrepareToolCallOutput, ResolvedAgent, RunToolInput, RunToolOutput } from '../activity-contract.ts';
import type { AgentSpec } from '../agent/spec.ts';
import { costOf } from '../budget/prices.ts';
import type { TokenUsage } from '../messages.ts';
import { eventTime, resetOf } from '../client/history-builds.ts';
import type { AgentRunInput, AgentRunResult } from '../workflow/run-types.ts';
import { firstPayload } from '../client/history-payloads.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Bumped when a digest's shape or meaning changes: cached digests of another version are read again. */
export const digestVersion = 3;

export interface ModelCallDigest {
  /** The event that recorded the reply. */
  eventId: number;
  usage: TokenUsage;
  costUsd?: number;
  /** A summarisation call that made room in the model's window, not a turn. */
  compaction?: true;
}

export interface ToolCallDigest {
  /** The event that ended the call (its result, failure, or the next model call that carried its error). */
  eventId: number;
  name: string;
  /** From scheduling to result, retries included; absent for calls that never ran (invalid arguments, no budget left). */
  latencyMs?: number;
  /** The model was handed an error. */
  isError: boolean;
  /** The activity itself failed (retries used up, timed out): a failure of the tool's infrastructure, not its answer. */
  activityFailed: boolean;
  /** Attempts beyond the first. */
  retries: number;
  resultBytes?: number;
}

export interface RunDigest {
  version: number;
  runId: string;
  execution: string;
  agent: string;
  model?: string;
  /** The root of the run's tree (itself, for a root run). */
  rootRunId: string;
  parentRunId?: string;
  /** How this execution ended: a run outcome, `failed`, `cancelled`, `terminated`, `timed_out`, `continued_as_new` or `running`. */
  state: string;
  startedAt: number;
  closedAt?: number;
  /** For a rewound execution: the one it was reset from, and the first event of its own. */
  resetFrom?: { execution: string; eventId: number };
  modelCalls: ModelCallDigest[];
  toolCalls: ToolCallDigest[];
  /** Time with at least one question or approval open. */
  humanWaitMs: number;
}

interface OpenCall {
  name: string;
  kind: 'tool' | 'sub_agent' | 'ask_human';
  scheduledAt?: number;
  done?: boolean;
}

/** Reads one execution's history, first event to last. */
export function digestHistory(events: readonly HistoryEvent[], ids: { runId: string; execution: string }): RunDigest {
  const digest: RunDigest = { version: digestVersion, runId: ids.runId, execution: ids.execution, agent: '', rootRunId: ids.runId, state: 'running', startedAt: 0, modelCalls: [], toolCalls: [], humanWaitMs: 0 };
  let spec: AgentSpec | undefined;
  const scheduled = new Map<string, { type: string; input: unknown; at: number }>();
  const attempts = new Map<string, number>();
  const calls = new Map<string, OpenCall>();
  const children = new Map<string, string>();
  const waits = new HumanWaitClock();

  const finishCall = (id: string, eventId: number, result: Omit<ToolCallDigest, 'eventId' | 'name'>) => {
    const call = calls.get(id);
    if (!call || call.done || call.kind === 'ask_human') return;
    call.done = true;
    digest.toolCalls.push({ eventId, name: call.name, ...result });
  };

  for (const event of events) {
    const eventId = Number(event.eventId);
    const at = eventTime(event);
    const started = event.workflowExecutionStartedEventAttributes;
    if (started) {
      const input = firstPayload<AgentRunInput>(started.input);
      digest.startedAt = at;
      digest.agent = input?.agent ?? started.workflowType?.name ?? '';
      if (input?.parent) {
        digest.parentRunId = input.parent.runId;
        digest.rootRunId = input.parent.rootRunId ?? input.parent.runId;
      }
      if (input?.resume) spec = input.resume.spec;
    }
    const reset = resetOf(event);
    if (reset) digest.resetFrom = { execution: reset.baseExecution, eventId };

    const activity = event.activityTaskScheduledEventAttributes;
    if (activity) {
      const type = activity.activityType?.name ?? '';
      const input = firstPayload<unknown>(activity.input);
      scheduled.set(String(eventId), { type, input, at });
      if (type === 'runTool') {
        const call = calls.get((input as RunToolInput).toolCallId);
        if (call) call.scheduledAt ??= at;
        waits.close((input as RunToolInput).toolCallId, at);
      }
      if (type === 'callModel') {
        for (const entry of (input as CallModelInput).append) {
          if (entry.role !== 'tool') continue;
          waits.close(entry.toolCallId, at);
          // A call that never ran (invalid arguments, budget used up, denied) ends here, as the model is told.
          finishCall(entry.toolCallId, eventId, { isError: entry.isError, activityFailed: false, retries: 0 });
        }
      }
    }
    const attempt = event.activityTaskStartedEventAttributes;
    if (attempt) attempts.set(String(attempt.scheduledEventId), attempt.attempt ?? 1);

    const completed = event.activityTaskCompletedEventAttributes;
    if (completed) {
      const of = scheduled.get(String(completed.scheduledEventId));
      const output = firstPayload<unknown>(completed.result);
      // A summarisation call that made room in the model's window is a model call too, in the same budget.
      if (of?.type === 'compactContext') {
        const compacted = output as CompactContextOutput;
        if ('usage' in compacted) digest.modelCalls.push({ eventId, usage: compacted.usage, compaction: true, ...(spec?.price ? { costUsd: costOf(compacted.usage, spec.price) } : {}) });
      }
      if (of?.type === 'callModel') {
        const reply = output as CallModelOutput;
        if (!('refused' in reply) && !('compact' in reply)) {
          digest.modelCalls.push({ eventId, usage: reply.usage, ...(spec?.price ? { costUsd: costOf(reply.usage, spec.price) } : {}) });
          for (const call of reply.message.toolCalls) {
            const kind = spec?.tools.find((tool) => tool.name === call.name)?.kind;
            calls.set(call.id, { name: call.name, kind: kind === 'ask_human' ? 'ask_human' : kind === 'sub_agent' ? 'sub_agent' : 'tool' });
            if (kind === 'ask_human') waits.open(call.id, at);
          }
        }
      }
      if (of?.type === 'resolveAgent') spec ??= (output as ResolvedAgent).spec;
      if (of?.type === 'prepareToolCall') {
        const prepared = output as PrepareToolCallOutput;
        // Approvals are matched by tool name: the input names no call id. The first unanswered call of that name waits.
        if (prepared.ok && prepared.needsApproval) {
          const name = (of.input as { toolName?: string }).toolName;
          const waiting = [...calls.entries()].find(([id, call]) => call.name === name && !call.done && call.scheduledAt === undefined && !waits.has(id));
          if (waiting) waits.open(waiting[0], at);
        }
      }
      if (of?.type === 'runTool') {
        const result = output as RunToolOutput;
        const input = of.input as RunToolInput;
        finishCall(input.toolCallId, eventId, { latencyMs: at - of.at, isError: result.isError, activityFailed: false, retries: (attempts.get(String(completed.scheduledEventId)) ?? 1) - 1, resultBytes: result.bytes });
      }
    }
    const failedActivity = event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
    if (failedActivity) {
      const of = scheduled.get(String(failedActivity.scheduledEventId));
      if (of?.type === 'runTool') {
        const input = of.input as RunToolInput;
        finishCall(input.toolCallId, eventId, { latencyMs: at - of.at, isError: true, activityFailed: true, retries: Math.max(0, (attempts.get(String(failedActivity.scheduledEventId)) ?? 1) - 1) });
      }
    }

    const marker = event.markerRecordedEventAttributes;
    if (marker?.markerName === 'core_local_activity') {
      const data = firstPayload<{ activity_type?: string }>(marker.details?.data);
      // The local activity is registered under the same name as the remote one.
      if (data?.activity_type === 'resolveAgent') spec ??= firstPayload<ResolvedAgent>(marker.details?.result)?.spec;
    }

    const child = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (child?.workflowId) {
      const toolCallId = firstPayload<AgentRunInput>(child.input)?.parent?.toolCallId;
      if (toolCallId) {
        children.set(child.workflowId, toolCallId);
        const call = calls.get(toolCallId);
        if (call) call.scheduledAt ??= at;
      }
    }
    const childClosed =
      event.childWorkflowExecutionCompletedEventAttributes ??
      event.childWorkflowExecutionFailedEventAttributes ??
      event.childWorkflowExecutionCanceledEventAttributes ??
      event.childWorkflowExecutionTerminatedEventAttributes ??
      event.childWorkflowExecutionTimedOutEventAttributes;
    if (childClosed?.workflowExecution?.workflowId) {
      const toolCallId = children.get(childClosed.workflowExecution.workflowId);
      const call = toolCallId ? calls.get(toolCallId) : undefined;
      if (toolCallId && call) {
        const result = event.childWorkflowExecutionCompletedEventAttributes ? firstPayload<AgentRunResult>(event.childWorkflowExecutionCompletedEventAttributes.result) : undefined;
        finishCall(toolCallId, eventId, {
          latencyMs: at - (call.scheduledAt ?? at),
          isError: !result || result.status !== 'completed',
          activityFailed: false,
          retries: 0,
          ...(result ? { resultBytes: Buffer.byteLength(result.output) } : {}),
        });
      }
    }

    const signal = event.workflowExecutionSignaledEventAttributes;
    const update = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (signal || update) {
      const payload = firstPayload<Record<string, unknown>>(signal ? signal.input : update?.args);
      const id = payload?.questionId ?? payload?.callId;
      if (typeof id === 'string') waits.close(id, at);
    }

    const ended = endState(event);
    if (ended) {
      digest.state = ended;
      digest.closedAt = at;
    }
  }
  digest.agent = spec?.name ?? digest.agent;
  if (spec) digest.model = spec.model;
  digest.humanWaitMs = waits.total(digest.closedAt ?? Date.now());
  return digest;
}

function endState(event: HistoryEvent): string | undefined {
  if (event.workflowExecutionCompletedEventAttributes) return firstPayload<AgentRunResult>(event.workflowExecutionCompletedEventAttributes.result)?.status ?? 'completed';
  if (event.workflowExecutionFailedEventAttributes) return 'failed';
  if (event.workflowExecutionCanceledEventAttributes) return 'cancelled';
  if (event.workflowExecutionTerminatedEventAttributes) return 'terminated';
  if (event.workflowExecutionTimedOutEventAttributes) return 'timed_out';
  if (event.workflowExecutionContinuedAsNewEventAttributes) return 'continued_as_new';
  return undefined;
}

/** Open questions and approvals over time: the time at least one was open, overlaps counted once. */
class HumanWaitClock {
  private readonly opened = new Map<string, number>();
  private readonly spans: [number, number][] = [];

  has(id: string): boolean {
    return this.opened.has(id);
  }

  open(id: string, at: number): void {
    if (!this.opened.has(id)) this.opened.set(id, at);
  }

  close(id: string, at: number): void {
    const from = this.opened.get(id);
    if (from === undefined) return;
    this.opened.delete(id);
    this.spans.push([from, Math.max(from, at)]);
  }

  /** Still open at `end` (the run closed, or is still waiting): counted until then. */
  total(end: number): number {
    const spans = [...this.spans, ...[...this.opened.values()].map((from): [number, number] => [from, Math.max(from, end)])].sort((a, b) => a[0] - b[0]);
    let total = 0;
    let reach = -Infinity;
    for (const [from, to] of spans) {
      const start = Math.max(from, reach);
      if (to > start) total += to - start;
      reach = Math.max(reach, to);
    }
    return total;
  }
}
