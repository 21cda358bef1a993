import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlobStore, TranscriptStore } from '@cairn/core/internals';
import { readSourceRecord, recordSource, sourceRecordLine, sourcesRead, type Source } from './source-store.ts';

const page: Source = { id: 'https://example.org/a', title: 'A page', url: 'https://example.org/a/', text: 'Full text of the page.', fetchedAt: '2025-01-01T00:00:00.000Z' };
const doc: Source = { id: 'corpus:notes/b.md', title: 'B', text: 'Notes.', fetchedAt: '2025-01-01T00:00:01.000Z' };
const store = () => new FileBlobStore(mkdtempSync(join(tmpdir(), 'cairn-sources-')));

/** One researcher's conversation: a read_source result per source key. */
async function transcriptReading(blobs: FileBlobStore, keys: string[], toolName = 'read_source') {
  return new TranscriptStore(blobs).append(
    { head: null, length: 0 },
    keys.map((key, index) => ({ role: 'tool' as const, toolCallId: `call-1-${index + 1}`, toolName, content: `Source: …\n${sourceRecordLine(key)}`, isError: false })),
  );
}

describe('source records in the shared blob store', () => {
  it('are found through the transcripts of every researcher, whichever worker recorded them', async () => {
    const blobs = store();
    const first = await transcriptReading(blobs, [await recordSource(blobs, page)]);
    const second = await transcriptReading(blobs, [await recordSource(blobs, doc)]);
    const sources = await sourcesRead(blobs, [first, second]);
    expect([...sources.values()]).toEqual([page, doc]);
  });

  it('keep the last read of a source id, and ignore other tools', async () => {
    const blobs = store();
    const again = { ...page, text: 'Newer text.', fetchedAt: '2025-01-02T00:00:00.000Z' };
    const transcript = await transcriptReading(blobs, [await recordSource(blobs, page), await recordSource(blobs, again)]);
    const other = await transcriptReading(blobs, [await recordSource(blobs, doc)], 'search');
    expect([...(await sourcesRead(blobs, [transcript, other])).values()]).toEqual([again]);
  });

  it('refuse what is not a source', async () => {
    const blobs = store();
    await expect(recordSource(blobs, { ...page, id: ' ' })).rejects.toThrow(/non-empty string id/);
    await expect(readSourceRecord(blobs, await blobs.put('{"id": 7}'))).rejects.toThrow(/non-empty string id/);
  });
});
