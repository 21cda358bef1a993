import { createHash } from 'node:crypto';
import { CairnError } from '../errors.ts';

/**
 * Content-addressed storage for what must stay out of workflow history:
 * transcript entries, tool results, agent specs. A blob's key is derived from
 * its content (its SHA-256, or a keyed hash when blobs are encrypted), so
 * writing the same thing twice (an activity retried after a crash) is harmless
 * and yields the same key.
 */
export interface BlobStore {
  put(content: string): Promise<string>;
  get(key: string): Promise<string>;
  /** Where the blobs are, fit to print (no password): "the folder /var/cairn/blobs". */
  readonly description?: string;
}

/** A blob as `cairn gc` sees it. */
export interface StoredBlob {
  key: string;
  /** When it was last written: writing content that is already there counts, as a later run does with a shared blob. */
  writtenAt: Date;
  bytes: number;
}

/** What retention needs of a store beyond reading and writing; Cairn's stores all have it. */
export interface CollectableBlobStore extends BlobStore {
  list(): AsyncIterable<StoredBlob>;
  /**
   * Deletes these blobs, except any written at or after `writtenBefore`: a run
   * that wrote one again while the collector looked elsewhere keeps it. Returns
   * how many were deleted.
   */
  deleteUnlessWritten(keys: readonly string[], writtenBefore: Date): Promise<number>;
}

export function isCollectable(store: BlobStore): store is CollectableBlobStore {
  return typeof (store as Partial<CollectableBlobStore>).list === 'function' && typeof (store as Partial<CollectableBlobStore>).deleteUnlessWritten === 'function';
}

export function blobKey(content: string | Uint8Array): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Throws unless `key` is a blob key: a key from history or a signal is checked before it names a file, row or object. */
export function checkBlobKey(key: string): void {
  if (!/^[0-9a-f]{64}$/.test(key)) throw new CairnError(`Not a blob key: ${JSON.stringify(key)}.`);
}

/** The error for a store that could not be reached or refused a call, naming it and why. */
export function blobStoreFailure(store: string, reason: string, options: { cause: unknown; hint: string }): CairnError {
  return new CairnError(`${store.charAt(0).toUpperCase()}${store.slice(1)} failed: ${reason}.`, options);
}

/** The error for a key that no blob has in `store`. */
export function missingBlobError(key: string, store: string): CairnError {
  return new CairnError(`Blob ${key} is missing from ${store}.`, {
    hint: 'Every worker of a task queue, and the CLI reading its runs, must share one blob store (CAIRN_BLOB_STORE).',
  });
}
