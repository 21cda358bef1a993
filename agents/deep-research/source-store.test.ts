import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Source, SourceStore, rootRunId } from './source-store.ts';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'cairn-sources-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const page: Source = { id: 'https://example.org/a', title: 'A page', url: 'https://example.org/a/', text: 'Full text of the page.', fetchedAt: '2025-01-01T00:00:00.000Z' };
const doc: Source = { id: 'corpus:notes/b.md', title: 'B', text: 'Notes.', fetchedAt: '2025-01-01T00:00:01.000Z' };

describe('rootRunId', () => {
  it('is the id before the first dot', () => {
    expect(rootRunId('research-abc')).toBe('research-abc');
    expect(rootRunId('research-abc.r1')).toBe('research-abc');
    expect(rootRunId('research-abc.r1.w2')).toBe('research-abc');
    expect(() => rootRunId('.r1')).toThrow(TypeError);
  });
});

describe('SourceStore', () => {
  it('shares the sources of every run of one research run', async () => {
    const researcher = new SourceStore(directory);
    await researcher.record('research-abc.r1', page);
    await new SourceStore(directory).record('research-abc.r2', doc);

    const writer = new SourceStore(directory);
    expect(await writer.list('research-abc.writer')).toEqual([page, doc]);
    expect(await writer.list('research-abc')).toEqual([page, doc]);
    expect(await writer.get('research-abc.w', 'corpus:notes/b.md')).toEqual(doc);
    expect(await writer.get('research-abc', 'https://example.org/missing')).toBeUndefined();
  });

  it('keeps research runs apart', async () => {
    const store = new SourceStore(directory);
    await store.record('research-abc.r1', page);
    expect(await store.list('research-xyz.r1')).toEqual([]);
    expect(await store.get('research-xyz', page.id)).toBeUndefined();
  });

  it('replaces a source read again, and leaves no temporary files', async () => {
    const store = new SourceStore(directory);
    await store.record('research-abc.r1', page);
    await store.record('research-abc.r2', { ...page, text: 'Newer text.' });
    expect(await store.list('research-abc')).toEqual([{ ...page, text: 'Newer text.' }]);
    const files = await readdir(join(directory, 'research-abc'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.json$/);
  });

  it('stores a root that is not a plain name under a hashed folder', async () => {
    const store = new SourceStore(directory);
    await store.record('team/x y.r1', page);
    expect(await store.list('team/x y')).toEqual([page]);
    const [folder] = await readdir(directory);
    expect(folder).toMatch(/^run-[0-9a-f]{40}$/);
  });

  it('refuses a source without an id', async () => {
    await expect(new SourceStore(directory).record('research-abc', { ...page, id: ' ' })).rejects.toThrow(/non-empty string id/);
  });
});
