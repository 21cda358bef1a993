import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Corpus } from './corpus.ts';
import { CorpusCache } from './corpus-cache.ts';

describe('CorpusCache', () => {
  it('keeps a corpus while its folder is unchanged, and sees files added later', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'cairn-corpus-cache-'));
    await writeFile(join(folder, 'a.md'), '# A\n\nAbout tides.');
    const cache = new CorpusCache();
    const first = await cache.get(folder);
    expect(await cache.get(folder)).toBe(first);

    await writeFile(join(folder, 'b.md'), '# B\n\nAbout harbours.');
    const second = await cache.get(folder);
    expect(second.documents.map((document) => document.docId)).toEqual(['a.md', 'b.md']);
  });

  it('keeps no failure: a folder fixed after a failed load is read on the next call', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'cairn-corpus-cache-'));
    const cache = new CorpusCache();
    await expect(cache.get(folder)).rejects.toThrow(/No readable documents/);
    await writeFile(join(folder, 'now.txt'), 'Now there is text.');
    expect((await cache.get(folder)).documents.map((document) => document.docId)).toEqual(['now.txt']);
  });
});

describe('a corpus folder with links', () => {
  it('serves a link to a file inside it, and never one that leads outside', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'cairn-outside-'));
    await writeFile(join(outside, 'secret.md'), 'A private key, not research.');
    const folder = await mkdtemp(join(tmpdir(), 'cairn-corpus-links-'));
    await writeFile(join(folder, 'notes.md'), '# Notes\n\nTides rise twice a day.');
    await symlink(join(folder, 'notes.md'), join(folder, 'same-notes.md'));
    await symlink(join(outside, 'secret.md'), join(folder, 'innocent.md'));
    const corpus = await Corpus.load(folder);
    expect(corpus.documents.map((document) => document.docId)).toEqual(['notes.md', 'same-notes.md']);
    expect(corpus.skipped).toEqual([{ docId: 'innocent.md', reason: 'a link to a file outside the corpus folder' }]);
    expect(corpus.search('private key').length).toBe(0);
    await rm(outside, { recursive: true, force: true });
  });
});
