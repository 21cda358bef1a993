import { randomBytes } from 'node:crypto';
import { rename as renameWithCallback, stat as statWithCallback, utimes as utimesWithCallback, writeFile as writeFileWithCallback } from 'node:fs';
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
const statFile = promisify(statWithCallback);
const utimes = promisify(utimesWithCallback);

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

  /**
   * Straight to its name (a blob's bytes never change, and most writes are new blobs), so a
   * write is one file created, not a temporary file and a rename. A blob already there is
   * marked written again (retention reads the time), unless its size shows a write that was
   * cut short (a worker killed mid-write): that one is replaced whole, by a temporary file
   * renamed over it. Reads check every blob against its name besides.
   */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(name);
    try {
      return await this.inFolder(path, () => writeFile(path, bytes, { mode: privateFileMode, flag: 'wx' }));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const existing = await statFile(path).catch(() => undefined);
    if (existing?.size === bytes.byteLength) {
      const now = new Date();
      return utimes(path, now, now);
    }
    const temporary = `${path}.${temporaryPrefix}-${(temporaryCount++).toString(36)}.tmp`;
    await this.inFolder(temporary, () => writeFile(temporary, bytes, { mode: privateFileMode }));
    await rename(temporary, path);
  }

  /** Runs `write` once the folder of `file` exists: made once per folder, and again if it was removed since. */
  private async inFolder(file: string, write: () => Promise<void>): Promise<void> {
    const folder = dirname(file);
    if (!this.folders.has(folder)) await this.makeFolder(folder);
    try {
      await write();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      await this.makeFolder(folder);
      await write();
    }
  }

  private async makeFolder(folder: string): Promise<void> {
    await mkdir(folder, { recursive: true, mode: privateDirectoryMode });
    this.folders.add(folder);
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
