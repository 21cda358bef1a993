/**
 * A run's history as its client reads it: every payload passed back through the
 * client's codecs (decrypted, on an encrypted stack) and failures' encoded
 * messages restored, so code that reads histories (`cairn show`, the status of
 * a run without a worker) works the same on plain and encrypted stacks.
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;

export async function fetchDecodedHistory(client: Client, runId: string, executionRunId?: string): Promise<History> {
  const history = await client.workflow.getHandle(runId, executionRunId).fetchHistory();
  const codecs = client.options.loadedDataConverter.payloadCodecs;
  if (codecs.length === 0) return history;
  const found: { holder: Record<string, unknown>; key: string; payload: Payload }[] = [];
  collectPayloads(history, found);
  let payloads = found.map((place) => place.payload);
  for (const codec of [...codecs].reverse()) payloads = await codec.decode(payloads);
  found.forEach((place, index) => (place.holder[place.key] = payloads[index]));
  restoreFailureMessages(history);
  return history;
}

function isPayload(value: unknown): value is Payload {
  if (typeof value !== 'object' || value === null || !('metadata' in value)) return false;
  const metadata = (value as Payload).metadata;
  return typeof metadata === 'object' && metadata !== null && ArrayBuffer.isView(metadata.encoding);
}

function collectPayloads(value: unknown, found: { holder: Record<string, unknown>; key: string; payload: Payload }[]): void {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  const holder = value as Record<string, unknown>;
  for (const key of Object.keys(holder)) {
    const child = holder[key];
    // The SDK writes a marker's own details (a local activity's type, a patch id) past the codec, in the clear:
    // only what the workflow's code returned (a local activity's result, its failure) was encoded.
    if (key === 'markerRecordedEventAttributes' && child && typeof child === 'object') {
      const marker = child as temporal.api.history.v1.IMarkerRecordedEventAttributes;
      collectPayloads(marker.details?.result, found);
      collectPayloads(marker.failure, found);
      continue;
    }
    if (isPayload(child)) found.push({ holder, key, payload: child });
    else collectPayloads(child, found);
  }
}

/** Failures sealed with `encodeCommonAttributes` carry their message and stack in a payload, decoded above. */
function restoreFailureMessages(value: unknown): void {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return;
  const holder = value as Record<string, unknown> & temporal.api.failure.v1.IFailure;
  if (isPayload(holder.encodedAttributes) && holder.encodedAttributes.data) {
    try {
      const attributes = JSON.parse(Buffer.from(holder.encodedAttributes.data).toString()) as { message?: unknown; stack_trace?: unknown };
      if (typeof attributes.message === 'string') holder.message = attributes.message;
      if (typeof attributes.stack_trace === 'string') holder.stackTrace = attributes.stack_trace;
    } catch {
      // Not JSON (a refused payload, say): the failure keeps what it said.
    }
  }
  for (const key of Object.keys(holder)) restoreFailureMessages(holder[key]);
}
