import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { privateDirectoryMode, privateFileMode } from '../config/private-files.ts';
import { dirname, join } from 'node:path';
import { CairnError } from '../errors.ts';

/**
 * Content-addressed storage for what must stay out of workflow history:
 * transcript entries, tool results, agent specs. A blob's key is the SHA-256 of
 * its content, so writing the same thing twice (an activity retried after a
 * crash) is harmless and yields the same key.
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

/**
 * The content of a blob read from `store`, once it is shown to match its key:
 * the key is the content's hash, so a blob changed at rest (tampering, a torn
 * copy) is refused, never served.
 */
export function verifiedContent(key: string, bytes: Uint8Array, store: string): string {
  if (blobKey(bytes) !== key) {
    throw new CairnError(`Blob ${key} in ${store} is damaged: its content does not match its key.`, {
      hint: 'Restore it from a backup, or remove it so that the step that wrote it can be run again.',
    });
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
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

/**
 * A blob store in a directory. Every worker that shares the directory (several
 * processes on one machine, or machines sharing a network file system) can pick
 * up any run; for workers without a shared disk, implement `BlobStore` over an
 * object store or database.
 */
export class FileBlobStore implements CollectableBlobStore {
  /** Shard folders this store has made or seen: one `mkdir` each, not one per write. */
  private readonly folders = new Set<string>();

  readonly description: string;

  constructor(readonly directory: string) {
    this.description = `the folder ${directory}`;
  }

  async put(content: string): Promise<string> {
    const key = blobKey(content);
    const path = this.pathOf(key);
    // Write then rename, so a reader never sees half a blob even if the worker dies mid-write.
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await this.writeInFolder(temporary, content);
    } catch (error) {
      // The folder was removed since this store saw it: make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.folders.delete(dirname(path));
      await this.writeInFolder(temporary, content);
    }
    await rename(temporary, path);
    return key;
  }

  private async writeInFolder(file: string, content: string): Promise<void> {
    const folder = dirname(file);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true, mode: privateDirectoryMode });
      this.folders.add(folder);
    }
    await writeFile(file, content, { mode: privateFileMode });
  }

  async get(key: string): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw missingBlobError(key, this.directory);
      throw error;
    }
    return verifiedContent(key, bytes, this.directory);
  }

  async *list(): AsyncIterable<StoredBlob> {
    let shards: string[];
    try {
      shards = (await readdir(this.directory)).filter((name) => /^[0-9a-f]{2}$/.test(name)).sort();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const shard of shards) {
      for (const name of (await readdir(join(this.directory, shard))).sort()) {
        const key = shard + name;
        if (!/^[0-9a-f]{64}$/.test(key)) continue; // a write in progress (.tmp)
        const info = await stat(join(this.directory, shard, name)).catch(() => undefined);
        if (info) yield { key, writtenAt: info.mtime, bytes: info.size };
      }
    }
  }

  async deleteUnlessWritten(keys: readonly string[], writtenBefore: Date): Promise<number> {
    let deleted = 0;
    for (const key of keys) {
      const path = this.pathOf(key);
      // A write renames a new file into place, so a blob written again has a new time.
      const info = await stat(path).catch(() => undefined);
      if (!info || info.mtime >= writtenBefore) continue;
      await rm(path, { force: true });
      deleted++;
    }
    return deleted;
  }

  private pathOf(key: string): string {
    checkBlobKey(key);
    return join(this.directory, key.slice(0, 2), key.slice(2));
  }
}
