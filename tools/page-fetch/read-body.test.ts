import { describe, expect, it } from 'vitest';
import { readLimited } from './read-body.ts';

function stream(chunks: string[], onCancel?: () => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(encoder.encode(chunk));
    },
    cancel: onCancel,
  });
}

describe('readLimited', () => {
  it('reads a body within the limit whole', async () => {
    const body = await readLimited(stream(['ab', 'cd']), 4);
    expect(new TextDecoder().decode(body.bytes)).toBe('abcd');
    expect(body.truncated).toBe(false);
  });

  it('stops at the limit and cancels the stream', async () => {
    let cancelled = false;
    const seen: number[] = [];
    const body = await readLimited(stream(['abc', 'def', 'ghi'], () => (cancelled = true)), 5, (size) => seen.push(size));
    expect(new TextDecoder().decode(body.bytes)).toBe('abcde');
    expect(body.truncated).toBe(true);
    expect(cancelled).toBe(true);
    expect(seen).toEqual([3]);
  });

  it('handles a missing body', async () => {
    expect(await readLimited(null, 10)).toEqual({ bytes: new Uint8Array(0), truncated: false });
  });
});
