/**
 * How run events leave the workflow: through a Temporal sink, which the worker
 * calls outside the workflow sandbox and never while replaying history, so a
 * subscriber there (tracing, analytics) sees each event once per run, whichever
 * worker took it.
 */
import { proxySinks, workflowInfo, type Sinks } from '@temporalio/workflow';
import type { RunEvent, RunEvents } from './run-events.ts';
import type { AgentRunInput } from './run-types.ts';
import { unwatchedRunEventsFlag } from './unwatched-run-events.ts';

/** Which run an event belongs to, and where that run sits in its tree and trace. */
export interface RunIdentity {
  runId: string;
  agent: string;
  rootRunId: string;
  parentRunId?: string;
  /** The parent's tool call that started this run. */
  parentToolCallId?: string;
  traceParent?: string;
}

export interface RunEventEnvelope {
  /** Workflow time of the event, ms since the epoch. */
  at: number;
  run: RunIdentity;
  event: RunEvent;
}

export interface CairnSinks extends Sinks {
  cairn: { runEvent(envelope: RunEventEnvelope): void };
}

export function runIdentity(input: AgentRunInput): RunIdentity {
  const { workflowId: runId } = workflowInfo();
  return {
    runId,
    agent: input.agent,
    rootRunId: input.parent ? (input.parent.rootRunId ?? input.parent.runId) : runId,
    ...(input.parent ? { parentRunId: input.parent.runId } : {}),
    ...(input.parent?.toolCallId ? { parentToolCallId: input.parent.toolCallId } : {}),
    ...(input.traceParent ? { traceParent: input.traceParent } : {}),
  };
}

/** Forwards every event of the run to the worker's `cairn.runEvent` sink, when the worker has a subscriber. */
export function forwardToSink(events: RunEvents, run: RunIdentity): void {
  if ((globalThis as Record<string, unknown>)[unwatchedRunEventsFlag] === true) return;
  const { cairn } = proxySinks<CairnSinks>();
  events.subscribe((event) => cairn.runEvent({ at: Date.now(), run, event }));
}
