import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from './file-blob-store.ts';

const megabyte = 1024 * 1024;
const folders: string[] = [];
const folder = () => {
  const directory = mkdtempSync(join(tmpdir(), 'cairn-recent-'));
  folders.push(directory);
  return directory;
};
afterEach(() => folders.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

/** Overwrites a blob's file behind the store's back: a read from disk then fails its check. */
const forge = (directory: string, name: string) => writeFileSync(join(directory, name.slice(0, 2), name.slice(2)), 'forged');

describe('a blob store’s memory of what it wrote', () => {
  it('answers a read of what it just wrote without going to the storage', async () => {
    const directory = folder();
    const store = new FileBlobStore(directory);
    const name = await store.put('a tool result');
    forge(directory, name);
    expect(await store.get(name)).toBe('a tool result');
    // Any other process reads the storage, and checks it.
    await expect(new FileBlobStore(directory).get(name)).rejects.toThrow('is damaged');
  });

  it('forgets the oldest past 16 MB, and never holds a blob over 1 MB', async () => {
    const directory = folder();
    const store = new FileBlobStore(directory);
    const oldest = await store.put('written first');
    for (let index = 0; index < 16; index += 1) await store.put(`${index}`.padEnd(megabyte, '.'));
    const large = await store.put('l'.padEnd(megabyte + 1, '.'));
    forge(directory, oldest);
    forge(directory, large);
    await expect(store.get(oldest)).rejects.toThrow('is damaged');
    await expect(store.get(large)).rejects.toThrow('is damaged');
  });

  it('forgets what it deletes', async () => {
    const directory = folder();
    const store = new FileBlobStore(directory);
    const name = await store.put('collected soon');
    expect(await store.deleteUnlessWritten([name], new Date(Date.now() + 60_000))).toBe(1);
    await expect(store.get(name)).rejects.toThrow('is missing');
  });
});
