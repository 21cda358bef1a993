import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolContext } from '@cairn/core';
import { FileBlobStore } from '@cairn/core/internals';

/** A ToolContext as the tool activity would pass it, with a count of heartbeats. */
export function toolContext(signal: AbortSignal = new AbortController().signal): ToolContext & { heartbeats: number } {
  const context = {
    runId: 'run-test',
    toolCallId: 'call-1',
    idempotencyKey: 'run-test/call-1',
    agent: 'researcher',
    signal,
    settings: {},
    blobs: new FileBlobStore(mkdtempSync(join(tmpdir(), 'cairn-tool-blobs-'))),
    heartbeats: 0,
    heartbeat() {
      context.heartbeats++;
    },
  };
  return context;
}
