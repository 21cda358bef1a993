export interface LimitedBody {
  bytes: Uint8Array;
  /** True when the body was longer than the limit and reading stopped there. */
  truncated: boolean;
}

/**
 * Reads a response body up to `maxBytes`, then cancels the stream, so a huge
 * or endless response costs no more than the limit. `onChunk` runs after each
 * chunk (the page fetch uses it to heartbeat).
 */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  onChunk?: (bytesSoFar: number) => void,
): Promise<LimitedBody> {
  if (!body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (size + value.byteLength > maxBytes) {
        chunks.push(value.subarray(0, maxBytes - size));
        size = maxBytes;
        truncated = true;
        break;
      }
      chunks.push(value);
      size += value.byteLength;
      onChunk?.(size);
    }
  } finally {
    if (truncated) reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { bytes, truncated };
}
