import { mkdtempSync, readdirSync, rmSync, statSync, truncateSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileBlobStore } from './file-blob-store.ts';

const folders: string[] = [];
const folder = () => {
  const directory = mkdtempSync(join(tmpdir(), 'cairn-file-blobs-'));
  folders.push(directory);
  return directory;
};
afterEach(() => folders.splice(0).forEach((directory) => rmSync(directory, { recursive: true, force: true })));

const fileOf = (directory: string, name: string) => join(directory, name.slice(0, 2), name.slice(2));

describe('FileBlobStore writes', () => {
  it('writes a blob under its name and leaves no temporary file', async () => {
    const directory = folder();
    const name = await new FileBlobStore(directory).put('a tool result');
    expect(readdirSync(join(directory, name.slice(0, 2)))).toEqual([name.slice(2)]);
    expect(await new FileBlobStore(directory).get(name)).toBe('a tool result');
  });

  it('marks a blob written again when the same content is put again', async () => {
    const directory = folder();
    const name = await new FileBlobStore(directory).put('the same result');
    const longAgo = new Date('2026-01-01T00:00:00Z');
    utimesSync(fileOf(directory, name), longAgo, longAgo);
    await new FileBlobStore(directory).put('the same result');
    expect(statSync(fileOf(directory, name)).mtime.getTime()).toBeGreaterThan(longAgo.getTime());
  });

  it('replaces a blob whose write was cut short, when the same content is put again', async () => {
    const directory = folder();
    const content = 'a result long enough to be cut short '.repeat(100);
    const name = await new FileBlobStore(directory).put(content);
    // What a worker killed mid-write leaves behind.
    truncateSync(fileOf(directory, name), 100);
    await expect(new FileBlobStore(directory).get(name)).rejects.toThrow('is damaged');

    await new FileBlobStore(directory).put(content);
    expect(await new FileBlobStore(directory).get(name)).toBe(content);
    expect(readdirSync(join(directory, name.slice(0, 2)))).toEqual([name.slice(2)]);
  });

  it('makes its folder again when it was removed after the store first wrote there', async () => {
    const directory = folder();
    const store = new FileBlobStore(directory);
    await store.put('first');
    rmSync(directory, { recursive: true, force: true });
    const name = await store.put('first');
    expect(await new FileBlobStore(directory).get(name)).toBe('first');
  });

  it('lets many writers of one blob race, and every reader gets the content', async () => {
    const directory = folder();
    const content = 'raced '.repeat(50_000);
    const names = await Promise.all(Array.from({ length: 8 }, () => new FileBlobStore(directory).put(content)));
    expect(new Set(names).size).toBe(1);
    expect(await new FileBlobStore(directory).get(names[0]!)).toBe(content);
  });
});
