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
