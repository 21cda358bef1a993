import { randomBytes } from 'node:crypto';
import { rename as renameWithCallback, writeFile as writeFileWithCallback } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { privateDirectoryMode, privateFileMode } from '../config/private-files.ts';
import type { StoredBlob } from '../transcript/blob-store.ts';
import type { BlobStorage } from './blob-storage.ts';
import { ContentAddressedStore } from './content-addressed-store.ts';

/**
 * Blobs as files in a folder, `ab/cdef…` by name. Every worker that shares the
 * folder (processes on one machine, or machines sharing a network file system)
 * can pick up any run; without a shared disk, use PostgreSQL or S3.
 */
export class FileBlobStore extends ContentAddressedStore {
  constructor(readonly directory: string) {
    super(new FileBlobStorage(directory));
  }
}

// Blob writes are small and many (a few a turn): the callback API costs less CPU per write than
// the promise API, which opens a FileHandle for each.
const writeFile = promisify(writeFileWithCallback);
const rename = promisify(renameWithCallback);

/**
 * Temporary files are named by this process's random prefix and a count: unique among
 * processes and machines sharing the folder, without reading the random source (a system
 * call) for every write.
 */
const temporaryPrefix = randomBytes(6).toString('hex');
let temporaryCount = 0;

class FileBlobStorage implements BlobStorage {
  readonly description: string;
  /** Shard folders this store has made or seen: one `mkdir` each, not one per write. */
  private readonly folders = new Set<string>();

  constructor(private readonly directory: string) {
    this.description = `the folder ${directory}`;
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(name);
    // Write then rename, so a reader never sees half a blob even if the worker dies mid-write; a rewrite gets a new time, which retention reads.
    const temporary = `${path}.${temporaryPrefix}-${(temporaryCount++).toString(36)}.tmp`;
    try {
      await this.writeInFolder(temporary, bytes);
    } catch (error) {
      // The folder was removed since this store saw it: make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.folders.delete(dirname(path));
      await this.writeInFolder(temporary, bytes);
    }
    await rename(temporary, path);
  }

  private async writeInFolder(file: string, bytes: Uint8Array): Promise<void> {
    const folder = dirname(file);
    if (!this.folders.has(folder)) {
      await mkdir(folder, { recursive: true, mode: privateDirectoryMode });
      this.folders.add(folder);
    }
    await writeFile(file, bytes, { mode: privateFileMode });
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
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
      for (const rest of (await readdir(join(this.directory, shard))).sort()) {
        const key = shard + rest;
        if (!/^[0-9a-f]{64}$/.test(key)) continue; // a write in progress (.tmp)
        const info = await stat(join(this.directory, shard, rest)).catch(() => undefined);
        if (info) yield { key, writtenAt: info.mtime, bytes: info.size };
      }
    }
  }

  async deleteUnlessWritten(names: readonly string[], writtenBefore: Date): Promise<number> {
    let deleted = 0;
    for (const name of names) {
      const path = this.pathOf(name);
      const info = await stat(path).catch(() => undefined);
      if (!info || info.mtime >= writtenBefore) continue;
      await rm(path, { force: true });
      deleted++;
    }
    return deleted;
  }

  private pathOf(name: string): string {
    return join(this.directory, name.slice(0, 2), name.slice(2));
  }
}
