/**
 * Build ids and resets as Temporal records them: each completed workflow task
 * names the build of the worker that completed it (`worker/build-id.ts`), and the
 * first history of a reset execution holds a failed workflow task that names the
 * execution it was reset from.
 */
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** The build that completed this workflow task, if the event is one and the worker named it. */
export function workflowTaskBuildId(event: HistoryEvent): string | undefined {
  const completed = event.workflowTaskCompletedEventAttributes;
  if (!completed) return undefined;
  return completed.deploymentVersion?.buildId || completed.workerVersion?.buildId || undefined;
}

/** The reset this event records: where the execution was reset from, and why. */
export function resetOf(event: HistoryEvent): { baseExecution: string; reason: string } | undefined {
  const failed = event.workflowTaskFailedEventAttributes;
  if (!failed?.baseRunId || !failed.newRunId) return undefined;
  return { baseExecution: failed.baseRunId, reason: failed.failure?.message ?? '' };
}

export function eventTime(event: HistoryEvent): number {
  const time = event.eventTime;
  if (!time) return 0;
  return Number(String(time.seconds ?? 0)) * 1000 + Math.floor((time.nanos ?? 0) / 1e6);
}
