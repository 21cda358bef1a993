/**
 * Rewinding a run: Temporal's reset, at a point chosen in Cairn's terms. The run
 * goes on from the end of a turn (or from just before a bad build's first step) on
 * the workers deployed now; what came before is replayed from history, not done
 * again. The execution it leaves behind stays in Temporal as the record, and the
 * new one names it (`RunRecord.rewinds`).
 */
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import Long from 'long';
import type { temporal } from '@temporalio/proto';
import type { CallModelInput } from '../activity-contract.ts';
import { CairnError } from '../errors.ts';
import type { AgentRunInput } from '../workflow/run-types.ts';
import { fetchDecodedHistory } from './decoded-history.ts';
import { workflowTaskBuildId } from './history-builds.ts';
import { firstPayload, queryLiteral } from './history-payloads.ts';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Where a run would be reset to, and what goes with the part left behind. */
export interface RewindPoint {
  runId: string;
  /** The execution that is reset (the run's latest). */
  execution: string;
  /** The completed workflow task Temporal resets to: it is decided again, and everything after it. */
  workflowTaskCompletedEventId: number;
  /** How many turns the run keeps. */
  keptTurns: number;
  /** Sub-agent runs started after the point that are still open: cancelled first, so the new execution can start its own. */
  openChildren: string[];
}

export interface RewoundRun extends RewindPoint {
  /** The execution that goes on from the point. */
  newExecution: string;
}

/** The run, its latest history decoded, and what started it. */
interface LoadedRun {
  runId: string;
  execution: string;
  events: HistoryEvent[];
  input: AgentRunInput;
}

async function loadRun(client: Client, runId: string): Promise<LoadedRun> {
  const description = await client.workflow.getHandle(runId).describe();
  if (description.type !== 'agentWorkflow') {
    throw new CairnError(`'${runId}' is a ${description.type} job, not an agent run: only agent runs can be rewound.`, {
      hint: 'Start the job again instead.',
    });
  }
  const history = await fetchDecodedHistory(client, runId, description.runId);
  const events = history.events ?? [];
  const input = firstPayload<AgentRunInput>(events[0]?.workflowExecutionStartedEventAttributes?.input);
  if (!input) throw new CairnError(`The history of run '${runId}' has no input Cairn can read.`);
  if (input.parent) {
    const root = input.parent.rootRunId ?? input.parent.runId;
    const rootType = (await client.workflow.getHandle(root).describe().catch(() => undefined))?.type;
    throw new CairnError(`Run '${runId}' is a sub-agent of '${input.parent.runId}': its parent's turns started it, so it cannot be rewound alone.`, {
      hint: rootType && rootType !== 'agentWorkflow' ? `Its root, '${root}', is a ${rootType} job, which cannot be rewound: start the job again.` : `Rewind the root run instead: cairn rewind ${root} --to-turn N.`,
    });
  }
  return { runId, execution: description.runId, events, input };
}

/** The point at the end of turn `turn` (0: before the first model call), or a refusal that says why not. */
export async function planRewindToTurn(client: Client, runId: string, turn: number): Promise<RewindPoint> {
  if (!Number.isInteger(turn) || turn < 0) throw new CairnError(`--to-turn ${turn} is not a turn: give a whole number, 0 or more.`);
  const run = await loadRun(client, runId);
  const modelCalls = run.events.filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel');
  const turnOf = (event: HistoryEvent) => firstPayload<CallModelInput>(event.activityTaskScheduledEventAttributes?.input)?.turn;
  const next = modelCalls.find((event) => turnOf(event) === turn + 1);
  if (!next) {
    const continuedAfter = run.input.resume?.turn ?? 0;
    if (turn < continuedAfter) {
      throw new CairnError(
        `Run '${runId}' continued as new after turn ${continuedAfter}, to keep its history small: turns before that are in an earlier history, and Temporal resets only the latest.`,
        { hint: `Rewind to turn ${continuedAfter} or later.` },
      );
    }
    const turns = Math.max(continuedAfter, ...modelCalls.map((event) => turnOf(event) ?? 0));
    const closed = run.events.some((event) => event.workflowExecutionCompletedEventAttributes || event.workflowExecutionFailedEventAttributes || event.workflowExecutionCanceledEventAttributes || event.workflowExecutionTerminatedEventAttributes || event.workflowExecutionTimedOutEventAttributes);
    throw new CairnError(
      turns === 0
        ? `Run '${runId}' has not called its model yet: there is no turn to rewind to.`
        : `Run '${runId}' has ${turns} turn${turns === 1 ? '' : 's'}, and turn ${turn} is not followed by another${closed ? '' : ' yet'}: nothing after it to do again.`,
      { hint: turns > 0 ? `Choose a turn from ${continuedAfter} to ${turns - 1}.` : undefined },
    );
  }
  return pointAt(client, run, Number(next.activityTaskScheduledEventAttributes!.workflowTaskCompletedEventId), turn);
}

/**
 * Where a run must go back to so that a build's work is done again: its first workflow
 * task, which Temporal's reset decides again (the history before it is kept, answers
 * included), or, when the build ran an activity before that, the task that scheduled it,
 * so the activity runs again too. `undefined` when the run's latest history holds no step
 * of that build.
 */
export function badBuildPoint(events: readonly HistoryEvent[], buildId: string): number | undefined {
  const scheduledBy = new Map<string, number>();
  for (const event of events) {
    if (workflowTaskBuildId(event) === buildId) return Number(event.eventId);
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) scheduledBy.set(String(event.eventId), Number(scheduled.workflowTaskCompletedEventId));
    const started = event.activityTaskStartedEventAttributes;
    if (started?.workerVersion?.buildId === buildId) {
      const point = scheduledBy.get(String(started.scheduledEventId));
      if (point !== undefined) return point;
    }
  }
  return undefined;
}

/** A root run that took a step on a build, itself or through sub-agents. */
export interface RunOnBuild {
  runId: string;
  /** Its sub-agent runs (at any depth) that took a step on the build. */
  touchedChildren: string[];
}

/**
 * Agent runs whose histories record a step of `buildId`, open or closed since `closedSince`,
 * found through visibility (Temporal indexes each build that completed a workflow task) and
 * grouped under their root runs.
 */
export async function findRunsOnBuild(client: Client, buildId: string, options: { closedSince?: Date; agent?: string } = {}): Promise<RunOnBuild[]> {
  const clauses = [`WorkflowType = 'agentWorkflow'`, `BuildIds = ${queryLiteral(`unversioned:${buildId}`)}`];
  if (options.closedSince) clauses.push(`(ExecutionStatus = 'Running' OR CloseTime >= ${queryLiteral(options.closedSince.toISOString())})`);
  const roots = new Map<string, RunOnBuild>();
  // Siblings share their parents: each parent's root is looked up once.
  const rootsOfParents = new Map<string, Promise<string>>();
  for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
    const parent = info.searchAttributes?.CairnParentRun?.[0];
    let rootId = info.workflowId;
    if (typeof parent === 'string') {
      if (!rootsOfParents.has(parent)) rootsOfParents.set(parent, rootOf(client, parent));
      rootId = await rootsOfParents.get(parent)!;
    }
    const entry = roots.get(rootId) ?? { runId: rootId, touchedChildren: [] };
    if (rootId !== info.workflowId && !entry.touchedChildren.includes(info.workflowId)) entry.touchedChildren.push(info.workflowId);
    roots.set(rootId, entry);
  }
  if (!options.agent) return [...roots.values()];
  const ofAgent = await Promise.all(
    [...roots.values()].map(async (entry) => {
      const root = await client.workflow.getHandle(entry.runId).describe().catch(() => undefined);
      return root?.searchAttributes?.CairnAgent?.[0] === options.agent ? entry : undefined;
    }),
  );
  return ofAgent.filter((entry) => entry !== undefined);
}

/**
 * Plans the reset of a root run that took a step on `buildId`, itself or through the
 * sub-agents named: to the earlier of its own point and the task that started the
 * sub-agent, so the sub-agent runs again. `undefined` when its latest history shows no
 * such step (it was already rewound, say).
 */
export async function planBadBuildRewind(client: Client, run: RunOnBuild, buildId: string): Promise<RewindPoint | undefined> {
  const loaded = await loadRun(client, run.runId);
  const points = [badBuildPoint(loaded.events, buildId)];
  for (const event of loaded.events) {
    const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (!started?.workflowId) continue;
    const childId = started.workflowId;
    if (run.touchedChildren.some((touched) => touched === childId || touched.startsWith(`${childId}.`))) points.push(Number(started.workflowTaskCompletedEventId));
  }
  const found = points.filter((point) => point !== undefined);
  return found.length === 0 ? undefined : pointAt(client, loaded, Math.min(...found));
}

/** The root of a sub-agent's tree: up its parents, as visibility records them. */
async function rootOf(client: Client, parentId: string): Promise<string> {
  let current = parentId;
  // Bounded: trees are a few levels deep (an agent's maxDepth).
  for (let level = 0; level < 32; level += 1) {
    const info = await client.workflow.getHandle(current).describe();
    const parent = info.searchAttributes?.CairnParentRun?.[0];
    if (typeof parent !== 'string') return current;
    current = parent;
  }
  return current;
}


async function pointAt(client: Client, run: LoadedRun, workflowTaskCompletedEventId: number, keptTurns?: number): Promise<RewindPoint> {
  const startedAfter = run.events
    .filter((event) => Number(event.eventId) > workflowTaskCompletedEventId)
    .flatMap((event) => event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? []);
  const open = await Promise.all(
    startedAfter.map(async (childId) => {
      const child = await client.workflow.getHandle(childId).describe().catch(() => undefined);
      return child?.status.name === 'RUNNING' ? childId : undefined;
    }),
  );
  return {
    runId: run.runId,
    execution: run.execution,
    workflowTaskCompletedEventId,
    keptTurns: keptTurns ?? turnsBefore(run, workflowTaskCompletedEventId),
    openChildren: open.filter((childId) => childId !== undefined),
  };
}

/** Turns whose model call completed before the point. */
function turnsBefore(run: LoadedRun, eventId: number): number {
  const modelCalls = new Set<string>();
  let turns = run.input.resume?.turn ?? 0;
  for (const event of run.events) {
    if (Number(event.eventId) >= eventId) break;
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel') modelCalls.add(String(event.eventId));
    const completed = event.activityTaskCompletedEventAttributes;
    if (completed && modelCalls.has(String(completed.scheduledEventId)) && !('refused' in (firstPayload<object>(completed.result) ?? {}))) turns += 1;
  }
  return turns;
}

/**
 * Resets the run to the point. Sub-agents started after it are cancelled first (and
 * terminated if they do not close within `childGraceMs`): the new execution starts its
 * own, and the budget never counts theirs, which settle only in the history left behind.
 */
export async function rewind(client: Client, point: RewindPoint, options: { reason: string; childGraceMs?: number }): Promise<RewoundRun> {
  await Promise.all(point.openChildren.map((childId) => closeChild(client, childId, options.reason, options.childGraceMs ?? 30_000)));
  const response = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: point.runId, runId: point.execution },
    reason: options.reason,
    workflowTaskFinishEventId: Long.fromNumber(point.workflowTaskCompletedEventId),
    requestId: randomUUID(),
    identity: client.options.identity,
  });
  return { ...point, newExecution: response.runId ?? '' };
}

async function closeChild(client: Client, childId: string, reason: string, graceMs: number): Promise<void> {
  const handle = client.workflow.getHandle(childId);
  await handle.cancel().catch(() => {});
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    const child = await handle.describe().catch(() => undefined);
    if (child?.status.name !== 'RUNNING') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await handle.terminate(`Its parent was rewound and it did not stop when cancelled: ${reason}`).catch(() => {});
}
