import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlobStore } from '../blob-stores/file-blob-store.ts';
import { emptyTranscript, TranscriptStore } from './transcript-store.ts';

/** A file store that counts the blobs and bytes written to it. */
class CountingBlobStore extends FileBlobStore {
  writes = 0;
  written = 0;
  override async put(content: string): Promise<string> {
    this.writes += 1;
    this.written += Buffer.byteLength(content);
    return super.put(content);
  }
}

describe('TranscriptStore', () => {
  it('refers to a tool result the tool activity stored instead of writing it again, and reads it back whole', async () => {
    const blobs = new CountingBlobStore(mkdtempSync(join(tmpdir(), 'cairn-transcript-')));
    const result = 'x'.repeat(8 * 1024);
    const contentRef = await blobs.put(result);
    blobs.written = 0;

    const transcript = await new TranscriptStore(blobs).append(emptyTranscript, [
      { role: 'user', content: 'Look it up.' },
      { message: { role: 'tool', toolCallId: 'call-1-1', toolName: 'lookup', isError: false, content: `${result} (cut)` }, contentRef, suffix: ' (cut)' },
    ]);
    expect(blobs.written).toBeLessThan(1024);

    // A worker that never saw this conversation reads it from the store alone.
    const messages = await new TranscriptStore(blobs).read(transcript);
    expect(messages).toEqual([
      { role: 'user', content: 'Look it up.' },
      { role: 'tool', toolCallId: 'call-1-1', toolName: 'lookup', isError: false, content: `${result} (cut)` },
    ]);
  });

  it('reads transcripts written before entries could refer to stored content', async () => {
    const blobs = new FileBlobStore(mkdtempSync(join(tmpdir(), 'cairn-transcript-')));
    const head = await blobs.put(JSON.stringify({ parent: null, message: { role: 'user', content: 'An older run.' } }));
    expect(await new TranscriptStore(blobs).read({ head, length: 1 })).toEqual([{ role: 'user', content: 'An older run.' }]);
  });

  it('writes what one append adds as one blob, and reads it back in order beside older one-message entries', async () => {
    const blobs = new CountingBlobStore(mkdtempSync(join(tmpdir(), 'cairn-transcript-')));
    const older = await blobs.put(JSON.stringify({ parent: null, message: { role: 'user', content: 'Look two things up.' } }));
    const results = await Promise.all(['first result', 'second result'].map((result) => blobs.put(result)));
    blobs.writes = 0;

    const turn = await new TranscriptStore(blobs).append({ head: older, length: 1 }, [
      { message: { role: 'tool', toolCallId: 'call-1-1', toolName: 'lookup', isError: false, content: 'first result' }, contentRef: results[0]! },
      { message: { role: 'tool', toolCallId: 'call-1-2', toolName: 'lookup', isError: false, content: 'second result' }, contentRef: results[1]! },
      { role: 'assistant', content: 'Both found.', toolCalls: [] },
    ]);
    expect(blobs.writes).toBe(1);
    expect(turn.length).toBe(4);
    expect((await new TranscriptStore(blobs).read(turn)).map((message) => message.content)).toEqual(['Look two things up.', 'first result', 'second result', 'Both found.']);
  });
});
