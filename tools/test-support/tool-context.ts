import type { ToolContext } from '@cairn/core';

/** A ToolContext as the tool activity would pass it, with a count of heartbeats. */
export function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext & { heartbeats: number } {
  const context = {
    runId: 'run-test',
    toolCallId: 'call-1',
    idempotencyKey: 'run-test/call-1',
    agent: 'researcher',
    signal,
    settings: {},
    heartbeats: 0,
    heartbeat() {
      context.heartbeats++;
    },
  };
  return context;
}
