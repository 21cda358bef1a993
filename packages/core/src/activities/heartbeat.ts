import { Context } from '@temporalio/activity';

/**
 * Heartbeats on a timer while `work` runs. A live worker proves it is alive
 * even when a model call or tool gives no progress of its own, so a dead worker
 * is noticed within the heartbeat timeout and its activity retried elsewhere.
 */
export async function withHeartbeat<T>(work: () => Promise<T>, details: () => unknown = () => undefined): Promise<T> {
  const context = Context.current();
  const timeout = context.info.heartbeatTimeoutMs;
  if (!timeout) return work();
  // With details (a stream's progress), each beat repeats the latest: a beat without them would erase them.
  const timer = setInterval(() => context.heartbeat(details()), Math.max(200, Math.floor(timeout / 3)));
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
