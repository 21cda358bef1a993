import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlobStore } from '../blob-stores/file-blob-store.ts';
import { emptyTranscript, TranscriptStore } from './transcript-store.ts';

/** A file store that counts the bytes written to it. */
class CountingBlobStore extends FileBlobStore {
  written = 0;
  override async put(content: string): Promise<string> {
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
});
