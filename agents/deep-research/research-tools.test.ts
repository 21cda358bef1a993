import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ToolContext } from '@cairn/core';
import { Corpus, type SearchProvider, fetchPage } from '@cairn/tools';
import { type LocalServer, startLocalServer } from '@cairn/tools/test-support/local-server.ts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkCitationsTool } from './citation-tool.ts';
import { type ResearchSearchOutput, researchTools } from './research-tools.ts';
import { FileBlobStore, TranscriptStore } from '@cairn/core/internals';
import { readSourceRecord } from './source-store.ts';

/** The blob store the workers share: where read_source records what it read. */
let blobs: FileBlobStore;
const context = (signal = new AbortController().signal): ToolContext => ({
  runId: 'research-abc.r1',
  toolCallId: 'c1',
  idempotencyKey: 'k',
  agent: 'researcher',
  signal,
  heartbeat() {},
  settings: {},
  blobs,
});

/** The source a read_source result names as its record. */
async function recorded(output: string) {
  const key = /\[source record ([0-9a-f]{64})\]$/.exec(output)?.[1];
  expect(key, output).toBeDefined();
  return readSourceRecord(blobs, key!);
}

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
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'cairn-research-tools-'));
  blobs = new FileBlobStore(directory);
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('researchTools over a corpus', () => {
  it('searches, reads a source with verbatim excerpts, and records its full text in the shared blob store', async () => {
    const [search, read] = researchTools({ corpus });

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

    expect(await recorded(output)).toEqual({ id: 'corpus:history/lighthouses.md', title: 'Lighthouses', text: lighthouse, fetchedAt: expect.any(String) });
  });

  it('reads a bare docId too, and returns a short document whole', async () => {
    const [, read] = researchTools({ corpus });
    const output = await read.execute({ id: 'harbour.txt', focus: 'depth' }, context());
    expect(output).toMatch(/^Source: corpus:harbour.txt\nTitle: Harbour\nExcerpts \(verbatim, quote only from these\):\nThe harbour was dredged in 1998 to a depth of twelve metres.\n\[source record [0-9a-f]{64}\]$/);
    expect(await recorded(output)).toMatchObject({ id: 'corpus:harbour.txt' });
  });

  it('takes the corpus of each call from a resolver, e.g. from the run settings', async () => {
    const [search, read] = researchTools({ corpus: (call) => (call.settings.corpus === 'main' ? corpus : undefined) });
    const withCorpus = { ...context(), settings: { corpus: 'main' } };
    const found = (await search.execute({ query: 'harbour depth' }, withCorpus)) as ResearchSearchOutput;
    expect(found.results[0]!.id).toBe('corpus:harbour.txt');
    expect(await read.execute({ id: 'corpus:harbour.txt', focus: 'depth' }, withCorpus)).toContain('twelve metres');
    await expect(search.execute({ query: 'harbour depth' }, context())).rejects.toThrow(/neither a document corpus nor a web search provider/);
  });

  it('says clearly when a document or an id is unknown', async () => {
    const [, read] = researchTools({ corpus });
    await expect(read.execute({ id: 'corpus:history/lighthouse.md', focus: 'x' }, context())).rejects.toThrow(/no document 'history\/lighthouse.md'.*exactly as search returned it/);
    await expect(read.execute({ id: 'lighthouses', focus: 'x' }, context())).rejects.toThrow(/http\(s\) URL or corpus:<docId>/);
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

  it('searches the web, reads a page and records it in the shared blob store', async () => {
    const [search, read] = researchTools({ search: provider(), fetch: localFetch });

    const found = (await search.execute({ query: 'Fastnet', maxResults: 3 }, context())) as ResearchSearchOutput;
    expect(found).toEqual({ query: 'Fastnet', searched: 'fake', results: [{ id: `${server.url}/fastnet`, title: 'Fastnet history', snippet: 'About Fastnet' }] });

    const output = await read.execute({ id: `${server.url}/fastnet`, focus: 'when was the lighthouse automated' }, context());
    const [header, excerpts] = splitOutput(output);
    expect(header).toBe(`Source: ${server.url}/fastnet\nTitle: Fastnet history\nExcerpts (verbatim, quote only from these):`);
    expect(excerpts).toContain('automated in 1989');

    const source = await recorded(output);
    expect(source).toMatchObject({ title: 'Fastnet history', url: `${server.url}/fastnet` });
    for (const piece of excerpts.split('\n…\n')) expect(source!.text).toContain(piece);
    expect(source!.text).not.toContain('Home | About');
  });

  it('refuses local addresses with the default fetch, and honours the run’s abort', async () => {
    const [, read] = researchTools({ search: provider() });
    await expect(read.execute({ id: `${server.url}/fastnet`, focus: 'x' }, context())).rejects.toThrow(/private or local address/);

    const [, readLocal] = researchTools({ search: provider(), fetch: localFetch });
    const controller = new AbortController();
    const pending = readLocal.execute({ id: `${server.url}/slow`, focus: 'x' }, context(controller.signal));
    setTimeout(() => controller.abort(new Error('run cancelled')), 50);
    await expect(pending).rejects.toThrow('run cancelled');
  });

  it('fails clearly when there is nothing to search', async () => {
    const [search] = researchTools({});
    await expect(search.execute({ query: 'anything' }, context())).rejects.toThrow(/neither a document corpus nor a web search provider/);
  });
});

describe('check_citations', () => {
  it('is an internal tool that checks a report against the sources the research run read', async () => {
    const [, read] = researchTools({ corpus });
    const transcript = await researcherTranscript(await read.execute({ id: 'corpus:harbour.txt', focus: 'depth' }, context()));
    const tool = checkCitationsTool();
    expect(tool.internal).toBe(true);

    const report = [
      'The harbour "was dredged in 1998" [1]. It is "forty metres deep today" [1]. Lighthouses were automated [2].',
      '',
      '## Sources',
      '[1] Harbour — corpus:harbour.txt',
      '[2] Lighthouses — corpus:history/lighthouses.md',
    ].join('\n');
    // The check may run on another worker: all it needs is the shared blob store and the researchers' transcripts.
    const result = await tool.execute({ report, transcripts: [transcript] }, { ...context(), runId: 'research-abc.writer', agent: 'writer' });

    expect(result.total).toBe(3);
    expect(result.verified).toBe(1);
    expect(result.failures.map((failure) => failure.citation)).toEqual([1, 2]);
    expect(result.report).toBe(
      'The harbour "was dredged in 1998" [1]. Lighthouses were automated.\n\n## Sources\n[1] Harbour — corpus:harbour.txt\n\nCitations verified: 1 of 3.',
    );
  });

  it('fails, rather than strike citations, when a source the researchers recorded cannot be read', async () => {
    const [, read] = researchTools({ corpus });
    const transcript = await researcherTranscript(await read.execute({ id: 'corpus:harbour.txt', focus: 'depth' }, context()));
    const elsewhere = { ...context(), blobs: new FileBlobStore(await mkdtemp(join(tmpdir(), 'cairn-other-store-'))) };
    // The transcript is readable there but its source record is not: copy the transcript only.
    const copied = await new TranscriptStore(elsewhere.blobs).append({ head: null, length: 0 }, await new TranscriptStore(blobs).read(transcript));
    await expect(checkCitationsTool().execute({ report: 'It "was dredged in 1998" [1].\n\n## Sources\n[1] Harbour — corpus:harbour.txt', transcripts: [copied] }, elsewhere)).rejects.toThrow(
      /Blob [0-9a-f]{64} is missing/,
    );
  });
});

/** A researcher's conversation in which it read a source: what the check reads to find the sources. */
async function researcherTranscript(readResult: string) {
  return new TranscriptStore(blobs).append({ head: null, length: 0 }, [
    { role: 'user', content: 'Research the harbour.' },
    { role: 'assistant', content: '', toolCalls: [{ id: 'call-1-1', name: 'read_source', arguments: '{}' }] },
    { role: 'tool', toolCallId: 'call-1-1', toolName: 'read_source', content: readResult, isError: false },
  ]);
}

function splitOutput(output: string): [string, string] {
  const lines = output.split('\n').filter((line) => !line.startsWith('[source record '));
  return [lines.slice(0, 3).join('\n'), lines.slice(3).join('\n')];
}
