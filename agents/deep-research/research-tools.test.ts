import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolContext } from '@cairn/core';
import { Corpus, type SearchProvider, fetchPage } from '@cairn/tools';
import { type LocalServer, startLocalServer } from '@cairn/tools/test-support/local-server.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCitationsTool } from './citation-tool.ts';
import { type ResearchSearchOutput, researchTools } from './research-tools.ts';
import { SourceStore } from './source-store.ts';

const context = (signal = new AbortController().signal): ToolContext => ({
  runId: 'research-abc.r1',
  toolCallId: 'c1',
  idempotencyKey: 'k',
  agent: 'researcher',
  signal,
  heartbeat() {},
  settings: {},
});

const filler = (topic: string) => Array.from({ length: 10 }, (_, i) => `${topic} note ${i}: ` + 'routine maintenance records and schedules. '.repeat(8)).join('\n\n');

const lighthouse = [
  '# Lighthouses',
  filler('Paint'),
  'The Fastnet lighthouse was automated in 1989, and its last keepers left the rock that year.',
  filler('Lamp'),
].join('\n\n');

const corpus = Corpus.fromDocuments([
  { docId: 'history/lighthouses.md', title: 'Lighthouses', text: lighthouse },
  { docId: 'harbour.txt', title: 'Harbour', text: 'The harbour was dredged in 1998 to a depth of twelve metres.' },
]);

let directory: string;
let sources: SourceStore;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'cairn-research-tools-'));
  sources = new SourceStore(directory);
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('researchTools over a corpus', () => {
  it('searches, reads a source with verbatim excerpts, and records its full text under the research run', async () => {
    const [search, read] = researchTools({ corpus, sources });

    const found = (await search.execute({ query: 'Fastnet automated keepers' }, context())) as ResearchSearchOutput;
    expect(found.searched).toBe('corpus');
    expect(found.results[0]).toMatchObject({ id: 'corpus:history/lighthouses.md', title: 'Lighthouses' });
    expect(found.results[0]!.passage).toContain('automated in 1989');

    const output = await read.execute({ id: found.results[0]!.id, focus: 'when was Fastnet automated' }, context());

    const [header, excerpts] = splitOutput(output);
    expect(header).toBe('Source: corpus:history/lighthouses.md\nTitle: Lighthouses\nExcerpts (verbatim, quote only from these):');
    expect(excerpts.length).toBeLessThanOrEqual(3000);
    expect(excerpts).toContain('The Fastnet lighthouse was automated in 1989');
    for (const piece of excerpts.split('\n…\n')) expect(lighthouse).toContain(piece);

    const recorded = await new SourceStore(directory).list('research-abc.writer');
    expect(recorded).toEqual([{ id: 'corpus:history/lighthouses.md', title: 'Lighthouses', text: lighthouse, fetchedAt: expect.any(String) }]);
  });

  it('reads a bare docId too, and returns a short document whole', async () => {
    const [, read] = researchTools({ corpus, sources });
    const output = await read.execute({ id: 'harbour.txt', focus: 'depth' }, context());
    expect(output).toBe('Source: corpus:harbour.txt\nTitle: Harbour\nExcerpts (verbatim, quote only from these):\nThe harbour was dredged in 1998 to a depth of twelve metres.');
    expect(await sources.get('research-abc', 'corpus:harbour.txt')).toBeDefined();
  });

  it('takes the corpus of each call from a resolver, e.g. from the run settings', async () => {
    const [search, read] = researchTools({ corpus: (call) => (call.settings.corpus === 'main' ? corpus : undefined), sources });
    const withCorpus = { ...context(), settings: { corpus: 'main' } };
    const found = (await search.execute({ query: 'harbour depth' }, withCorpus)) as ResearchSearchOutput;
    expect(found.results[0]!.id).toBe('corpus:harbour.txt');
    expect(await read.execute({ id: 'corpus:harbour.txt', focus: 'depth' }, withCorpus)).toContain('twelve metres');
    await expect(search.execute({ query: 'harbour depth' }, context())).rejects.toThrow(/neither a document corpus nor a web search provider/);
  });

  it('says clearly when a document or an id is unknown', async () => {
    const [, read] = researchTools({ corpus, sources });
    await expect(read.execute({ id: 'corpus:history/lighthouse.md', focus: 'x' }, context())).rejects.toThrow(/no document 'history\/lighthouse.md'.*exactly as search returned it/);
    await expect(read.execute({ id: 'lighthouses', focus: 'x' }, context())).rejects.toThrow(/http\(s\) URL or corpus:<docId>/);
    expect(await sources.list('research-abc')).toEqual([]);
  });
});

describe('researchTools on the web', () => {
  let server: LocalServer;
  beforeEach(async () => {
    server = await startLocalServer((request, response) => {
      if (request.url === '/slow') return; // never answers
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        `<html><head><title>Fastnet history</title></head><body><nav>Home | About</nav><article><h1>Fastnet history</h1>` +
          `<p>${'The rock has a long history of shipwrecks and rescues. '.repeat(30)}</p>` +
          '<p>The Fastnet lighthouse was automated in 1989, and its last keepers left the rock that year.</p>' +
          `<p>${'Visitors can see the tower from boats that leave the mainland each summer. '.repeat(30)}</p></article></body></html>`,
      );
    });
  });
  afterEach(async () => {
    await server.close();
  });

  const provider = (): SearchProvider => ({
    name: 'fake',
    async search(query, { maxResults }) {
      return [{ title: 'Fastnet history', url: `${server.url}/fastnet`, snippet: `About ${query}` }].slice(0, maxResults);
    },
  });
  const localFetch: typeof fetchPage = (url, options) => fetchPage(url, { ...options, allowPrivateNetwork: true });

  it('searches the web, reads a page and records it under the research run', async () => {
    const [search, read] = researchTools({ search: provider(), sources, fetch: localFetch });

    const found = (await search.execute({ query: 'Fastnet', maxResults: 3 }, context())) as ResearchSearchOutput;
    expect(found).toEqual({ query: 'Fastnet', searched: 'fake', results: [{ id: `${server.url}/fastnet`, title: 'Fastnet history', snippet: 'About Fastnet' }] });

    const output = await read.execute({ id: `${server.url}/fastnet`, focus: 'when was the lighthouse automated' }, context());
    const [header, excerpts] = splitOutput(output);
    expect(header).toBe(`Source: ${server.url}/fastnet\nTitle: Fastnet history\nExcerpts (verbatim, quote only from these):`);
    expect(excerpts).toContain('automated in 1989');

    const source = await sources.get('research-abc.r2', `${server.url}/fastnet`);
    expect(source).toMatchObject({ title: 'Fastnet history', url: `${server.url}/fastnet` });
    for (const piece of excerpts.split('\n…\n')) expect(source!.text).toContain(piece);
    expect(source!.text).not.toContain('Home | About');
  });

  it('refuses local addresses with the default fetch, and honours the run’s abort', async () => {
    const [, read] = researchTools({ search: provider(), sources });
    await expect(read.execute({ id: `${server.url}/fastnet`, focus: 'x' }, context())).rejects.toThrow(/private or local address/);

    const [, readLocal] = researchTools({ search: provider(), sources, fetch: localFetch });
    const controller = new AbortController();
    const pending = readLocal.execute({ id: `${server.url}/slow`, focus: 'x' }, context(controller.signal));
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    await expect(pending).rejects.toThrow('run cancelled');
    expect(await sources.list('research-abc')).toEqual([]);
  });

  it('fails clearly when there is nothing to search', async () => {
    const [search] = researchTools({ sources });
    await expect(search.execute({ query: 'anything' }, context())).rejects.toThrow(/neither a document corpus nor a web search provider/);
  });
});

describe('check_citations', () => {
  it('is an internal tool that checks a report against the sources the research run read', async () => {
    const [, read] = researchTools({ corpus, sources });
    await read.execute({ id: 'corpus:harbour.txt', focus: 'depth' }, context());
    const tool = checkCitationsTool(sources);
    expect(tool.internal).toBe(true);

    const report = [
      'The harbour "was dredged in 1998" [1]. It is "forty metres deep today" [1]. Lighthouses were automated [2].',
      '',
      '## Sources',
      '[1] Harbour — corpus:harbour.txt',
      '[2] Lighthouses — corpus:history/lighthouses.md',
    ].join('\n');
    const result = await tool.execute({ report }, { ...context(), runId: 'research-abc.writer', agent: 'writer' });

    expect(result.total).toBe(3);
    expect(result.verified).toBe(1);
    expect(result.failures.map((failure) => failure.citation)).toEqual([1, 2]);
    expect(result.report).toBe(
      'The harbour "was dredged in 1998" [1]. Lighthouses were automated.\n\n## Sources\n[1] Harbour — corpus:harbour.txt\n\nCitations verified: 1 of 3.',
    );
  });
});

function splitOutput(output: string): [string, string] {
  const lines = output.split('\n');
  return [lines.slice(0, 3).join('\n'), lines.slice(3).join('\n')];
}
