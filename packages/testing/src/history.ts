import type { Client } from '@temporalio/client';

/**
 * How many activities of a type a run's history records as completed. In crash
 * tests these are the calls that must never be made again: a call cut off by
 * the crash before Temporal recorded it may legitimately be retried.
 */
export async function completedActivities(temporal: Client, runId: string, activityType = 'callModel'): Promise<number> {
  const history = await temporal.workflow.getHandle(runId).fetchHistory();
  const scheduled = new Map<string, string>();
  let completed = 0;
  for (const event of history.events ?? []) {
    const attributes = event.activityTaskScheduledEventAttributes;
    if (attributes) scheduled.set(String(event.eventId), attributes.activityType?.name ?? '');
    const done = event.activityTaskCompletedEventAttributes;
    if (done && scheduled.get(String(done.scheduledEventId)) === activityType) completed += 1;
  }
  return completed;
}

/**
 * The attempt that completed each activity of a type, in the order they were
 * scheduled. A call served more often than its attempt number was served again
 * after Temporal had recorded its result: the repeat crash tests look for.
 */
export async function completingAttempts(temporal: Client, runId: string, activityType = 'callModel'): Promise<number[]> {
  const history = await temporal.workflow.getHandle(runId).fetchHistory();
  const scheduled = new Set<string>();
  const attempts = new Map<string, number>();
  const completing: number[] = [];
  for (const event of history.events ?? []) {
    const id = String(event.eventId);
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === activityType) scheduled.add(id);
    const started = event.activityTaskStartedEventAttributes;
    if (started && scheduled.has(String(started.scheduledEventId))) attempts.set(String(started.scheduledEventId), started.attempt ?? 1);
    const done = event.activityTaskCompletedEventAttributes;
    if (done && scheduled.has(String(done.scheduledEventId))) completing.push(attempts.get(String(done.scheduledEventId)) ?? 1);
  }
  return completing;
}
