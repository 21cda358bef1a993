import { createHash } from 'node:crypto';

/** The trace a run's spans are in: its client's (W3C `traceparent`), else one derived from the root run, the same on every worker. */
export function runTraceId(rootRunId: string, traceParent?: string): string {
  return /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceParent ?? '')?.[1] ?? createHash('sha256').update(['trace', rootRunId].join('\0')).digest('hex').slice(0, 32);
}
