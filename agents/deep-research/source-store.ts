// Activity-side (reads and writes the blob store): never import this file from workflow code.
import type { BlobStore, TranscriptRef } from '@cairn/core/internals';
import { TranscriptStore } from '@cairn/core/internals';

/** A document a research run has read: what its citations are checked against. */
export interface Source {
  /** What the report cites: the URL the researcher asked for, or `corpus:<docId>`. */
  id: string;
  title: string;
  /** The URL the text came from (after redirects), for web sources. */
  url?: string;
  /** The full text that was read, not only the excerpts shown to the model. */
  text: string;
  /** ISO 8601. */
  fetchedAt: string;
}

/** The tool whose results name the sources a researcher read. */
export const readSourceToolName = 'read_source';

/**
 * Sources live in the blob store every worker of the task queue shares, never
 * in one worker's home: the researchers of a job may run on one worker and its
 * citation check on another. `read_source` stores the full text and ends its
 * result with this line; the researchers' transcripts (also in the blob store,
 * referenced from the job's history) are then the index of what was read.
 */
export function sourceRecordLine(key: string): string {
  return `[source record ${key}]`;
}

export async function recordSource(blobs: BlobStore, source: Source): Promise<string> {
  assertSource(source);
  const stored: Source = { id: source.id, title: source.title, ...(source.url === undefined ? {} : { url: source.url }), text: source.text, fetchedAt: source.fetchedAt };
  return blobs.put(JSON.stringify(stored));
}

export async function readSourceRecord(blobs: BlobStore, key: string): Promise<Source> {
  const source = JSON.parse(await blobs.get(key)) as Source;
  assertSource(source);
  return source;
}

/**
 * Every source read in these transcripts, by id (the last read of an id wins).
 * A record that cannot be read fails the whole call: a check against fewer
 * sources than were read would wrongly strike citations.
 */
export async function sourcesRead(blobs: BlobStore, transcripts: readonly TranscriptRef[]): Promise<Map<string, Source>> {
  const store = new TranscriptStore(blobs, 0);
  const keys: string[] = [];
  for (const transcript of transcripts) {
    for (const message of await store.read(transcript)) {
      if (message.role !== 'tool' || message.toolName !== readSourceToolName || message.isError) continue;
      for (const match of message.content.matchAll(/\[source record ([0-9a-f]{64})\]/g)) keys.push(match[1]!);
    }
  }
  const sources = new Map<string, Source>();
  for (const key of keys) {
    const source = await readSourceRecord(blobs, key);
    sources.set(source.id, source);
  }
  return sources;
}

function assertSource(source: Source): void {
  if (typeof source !== 'object' || source === null) throw new TypeError('A source must be an object { id, title, text, fetchedAt, url? }.');
  if (typeof source.id !== 'string' || source.id.trim() === '') throw new TypeError('A source needs a non-empty string id (a URL or corpus:<docId>).');
  if (typeof source.title !== 'string') throw new TypeError(`Source '${source.id}' needs a string title.`);
  if (typeof source.text !== 'string') throw new TypeError(`Source '${source.id}' needs its text as a string.`);
  if (typeof source.fetchedAt !== 'string') throw new TypeError(`Source '${source.id}' needs fetchedAt as an ISO 8601 string.`);
  if (source.url !== undefined && typeof source.url !== 'string') throw new TypeError(`Source '${source.id}': url must be a string when given.`);
}
