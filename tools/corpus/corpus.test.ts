import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CorpusError } from '../errors.ts';
import { toolContext } from '../test-support/tool-context.ts';
import { Corpus } from './corpus.ts';
import { corpusTools } from './corpus-tools.ts';
import { markdownTitle } from './load-documents.ts';

const filler = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `Paragraph ${i} about ${topic}: general remarks on routines, habits and evenings, repeated to make the document long.`).join('\n\n');

const sleepMd = `---
title: Notes on sleep
---
# Sleep notes

${filler('bedtime', 12)}

## Hormones

Melatonin is released by the pineal gland when light fades; taking it an hour before bed shifts the circadian phase.

${filler('weekends', 12)}
`;

const caffeineTxt = `Caffeine and adenosine\r\n\r\nCaffeine blocks adenosine receptors, which is why coffee late in the day delays sleep onset.\r\nIts half-life is about five hours.\r\n`;

const articleHtml = `<!doctype html><html><head><title>Blue light at night</title></head><body>
<nav><a href="/">Home</a> <a href="/shop">Shop our lamps</a></nav>
<article><h1>Blue light at night</h1>
<p>Screens emit blue light, which suppresses the evening rise of the sleep hormone and keeps people alert, according to several small studies.</p>
<p>Dimming screens, using night modes, and keeping phones out of the bedroom are the usual recommendations, with mixed evidence, but cheap to try.</p>
</article><footer>Newsletter signup footer</footer></body></html>`;

let dir: string;
let corpus: Corpus;

async function write(path: string, content: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), content);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cairn-corpus-'));
  await write('notes/sleep.md', sleepMd);
  await write('papers/caffeine.txt', caffeineTxt);
  await write('web/blue-light.html', articleHtml);
  await write('empty.txt', '  \n');
  await write('.hidden/secret.md', 'melatonin secret');
  await write('node_modules/pkg/readme.md', 'melatonin package');
  await write('picture.png', 'not text');
  await symlink(join(dir, 'papers'), join(dir, 'papers-link'));
  corpus = await Corpus.load(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Corpus.load', () => {
  it('reads .md, .txt and .html files recursively, skipping hidden folders, node_modules, other files and folder links', () => {
    expect(corpus.documents.map((document) => document.docId)).toEqual(['notes/sleep.md', 'papers/caffeine.txt', 'web/blue-light.html']);
    expect(corpus.skipped).toEqual([{ docId: 'empty.txt', reason: 'no text' }]);
    expect(corpus.documents.find((document) => document.docId === 'notes/sleep.md')!.passages).toBeGreaterThan(1);
  });

  it('titles documents by front matter, heading, HTML title or file name', () => {
    expect(corpus.title('notes/sleep.md')).toBe('Notes on sleep');
    expect(corpus.title('papers/caffeine.txt')).toBe('caffeine');
    expect(corpus.title('web/blue-light.html')).toBe('Blue light at night');
  });

  it('reads HTML as readable text without navigation or footer', () => {
    const text = corpus.read('web/blue-light.html');
    expect(text).toContain('Screens emit blue light');
    expect(text).not.toContain('Shop our lamps');
    expect(text).not.toContain('Newsletter');
  });

  it('keeps text files as they are, with line ends normalised', () => {
    expect(corpus.read('papers/caffeine.txt')).toBe(caffeineTxt.replace(/\r\n/g, '\n'));
  });

  it('says when the folder is missing or has no documents', async () => {
    await expect(Corpus.load(join(dir, 'nope'))).rejects.toThrow(`The corpus folder ${join(dir, 'nope')} does not exist.`);
    const empty = await mkdtemp(join(tmpdir(), 'cairn-empty-'));
    try {
      const error = await Corpus.load(empty).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(CorpusError);
      expect((error as CorpusError).code).toBe('empty');
      expect((error as Error).message).toMatch(/^No readable documents in the corpus folder .*: it has no \.md, \.markdown, \.txt, \.text, \.html, \.htm files with text\.$/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});

describe('corpus.search', () => {
  it('finds the passage, not just the document, and the passage is the exact text read returns', () => {
    const [best] = corpus.search('melatonin pineal');
    expect(best?.docId).toBe('notes/sleep.md');
    expect(best?.passage).toContain('Melatonin is released by the pineal gland');
    expect(best!.passage.length).toBeLessThanOrEqual(1500);
    expect(corpus.read('notes/sleep.md').slice(best!.start, best!.end)).toBe(best!.passage);
    expect(corpus.read('notes/sleep.md').length).toBeGreaterThan(best!.passage.length);
  });

  it('ranks by BM25 across formats', () => {
    expect(corpus.search('caffeine adenosine')[0]?.docId).toBe('papers/caffeine.txt');
    expect(corpus.search('blue light screens')[0]?.docId).toBe('web/blue-light.html');
    const hits = corpus.search('sleep');
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
  });

  it('matches prefixes and small typos', () => {
    expect(corpus.search('adenos')[0]?.docId).toBe('papers/caffeine.txt');
    expect(corpus.search('melatonim')[0]?.passage).toContain('Melatonin');
  });

  it('respects the limit and returns nothing for nothing', () => {
    expect(corpus.search('paragraph', { limit: 2 })).toHaveLength(2);
    expect(corpus.search('zzyzx')).toEqual([]);
    expect(corpus.search('')).toEqual([]);
  });
});

describe('corpus.read', () => {
  it('accepts ./ and backslashes, and suggests the right id for a wrong folder', () => {
    expect(corpus.read('./papers/caffeine.txt')).toBe(corpus.read('papers/caffeine.txt'));
    expect(corpus.read('papers\\caffeine.txt')).toBe(corpus.read('papers/caffeine.txt'));
    expect(() => corpus.read('caffeine.txt')).toThrow(
      "There is no document 'caffeine.txt' in the corpus. Did you mean 'papers/caffeine.txt'? Use a docId exactly as corpus_search returns it.",
    );
  });
});

describe('corpus tools', () => {
  it('corpus_search returns passages identical to what corpus_read returns', async () => {
    const [search, read] = corpusTools(corpus);
    expect([search.name, read.name]).toEqual(['corpus_search', 'corpus_read']);
    const found = await search.execute(search.input.parse({ query: 'melatonin' }), toolContext());
    const hit = found.results[0]!;
    const document = await read.execute(read.input.parse({ docId: hit.docId }), toolContext());
    expect(document.text.slice(hit.start, hit.end)).toBe(hit.passage);
    expect(document.text).toBe(corpus.read(hit.docId));
    expect(document).toMatchObject({ docId: 'notes/sleep.md', title: 'Notes on sleep', offset: 0, totalChars: corpus.read(hit.docId).length });
    expect(document.nextOffset).toBeUndefined();
  });

  it('corpus_read pages through long documents', async () => {
    const [, read] = corpusTools(corpus, { maxReadChars: 1000 });
    const full = corpus.read('notes/sleep.md');
    let text = '';
    let offset: number | undefined = 0;
    while (offset !== undefined) {
      const page = await read.execute({ docId: 'notes/sleep.md', offset }, toolContext());
      text += page.text;
      offset = page.nextOffset;
    }
    expect(text).toBe(full);
  });

  it('corpus_search notes when nothing matched, corpus_read names a wrong id', async () => {
    const [search, read] = corpusTools(corpus);
    expect((await search.execute({ query: 'zzyzx' }, toolContext())).note).toMatch(/No passage matched/);
    await expect(Promise.resolve().then(() => read.execute({ docId: 'nope.md' }, toolContext()))).rejects.toThrow(/There is no document 'nope.md'/);
  });
});

describe('Corpus.fromDocuments and markdownTitle', () => {
  it('builds a corpus from memory', () => {
    const memory = Corpus.fromDocuments([{ docId: 'a', text: 'alpha beta' }, { docId: 'b', text: 'gamma delta', title: 'B' }]);
    expect(memory.search('gamma')[0]).toMatchObject({ docId: 'b', title: 'B', passage: 'gamma delta', start: 0, end: 11 });
  });

  it('reads titles from front matter or the first heading', () => {
    expect(markdownTitle('---\ntitle: "Quoted"\n---\n# H')).toBe('Quoted');
    expect(markdownTitle('text\n\n## Second level ##\n')).toBe('Second level');
    expect(markdownTitle('no heading')).toBeUndefined();
  });
});
