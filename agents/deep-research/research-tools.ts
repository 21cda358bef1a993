// Activity-side (network, files): never import this file from workflow code.
import { type ToolContext, defineTool } from '@cairn/core';
import { type Corpus, type FetchPageOptions, type SearchProvider, ToolError, fetchPage } from '@cairn/tools';
import { normaliseDocId } from '@cairn/tools/corpus/corpus.ts';
import { z } from 'zod';
import { excerpt } from './excerpts.ts';
import { readSourceToolName, recordSource, sourceRecordLine, type Source } from './source-store.ts';

export interface ResearchToolsOptions {
  /**
   * Search this local corpus (ids `corpus:<docId>`); when there is one, the web is not searched.
   * A function picks it per call, e.g. from `context.settings` (a cached `Corpus.load`); `undefined` means the web.
   */
  corpus?: Corpus | CorpusResolver;
  /** Search the web with this provider (ids are URLs), when there is no corpus. */
  search?: SearchProvider;
  /** Fetches web pages; tests pass one that allows a local server. Default `fetchPage`. */
  fetch?: typeof fetchPage;
  /** Passed to every page fetch (timeouts, sizes, `allowPrivateNetwork` for an intranet). */
  fetchOptions?: Omit<FetchPageOptions, 'signal' | 'onProgress'>;
  /** Characters of excerpts `read_source` returns at most. Default 3,000. */
  excerptChars?: number;
}

/** Picks the corpus of a call's research run; `undefined` when it has none. */
export type CorpusResolver = (context: ToolContext) => Corpus | undefined | Promise<Corpus | undefined>;

export interface ResearchSearchHit {
  /** What to pass to `read_source`, and what a report cites: `corpus:<docId>` or the URL. */
  id: string;
  title: string;
  /** Corpus results: the matching passage, verbatim. */
  passage?: string;
  /** Web results: the search engine's snippet. */
  snippet?: string;
  /** Web results, when the engine knows it: ISO 8601. */
  publishedAt?: string;
}

export interface ResearchSearchOutput {
  query: string;
  /** `corpus`, or the web search provider's name. */
  searched: string;
  results: ResearchSearchHit[];
  note?: string;
}

const corpusPrefix = 'corpus:';

const searchInput = z.object({
  query: z.string().min(1).max(400).describe('What to look for: keywords or a short question.'),
  maxResults: z.number().int().min(1).max(20).optional().describe('How many results to return (1-20, default 6).'),
});

const readInput = z.object({
  id: z.string().min(1).max(2048).describe('The id of a search result, exactly as search returned it (a URL, or corpus:<docId>).'),
  focus: z
    .string()
    .min(1)
    .max(500)
    .describe('What you want from this source: the question or claim you are checking. The excerpts returned are the passages most relevant to it.'),
});

/**
 * The two tools of a researcher: `search` (the run's corpus, else the web) and
 * `read_source`, which reads a result, records its full text in the shared
 * blob store (naming the record in its result), and hands the model only
 * verbatim excerpts relevant to its focus, the only text it may quote.
 */
export function researchTools(options: ResearchToolsOptions) {
  return [searchTool(options), readSourceTool(options)] as const;
}

export function searchTool(options: Pick<ResearchToolsOptions, 'corpus' | 'search'>) {
  const { search } = options;
  const where =
    typeof options.corpus === 'function' ? 'Search the sources of this research: its document collection, or else the web. '
    : options.corpus ? 'Search the document collection of this research (keyword search, best passages first). '
    : 'Search the web. ';
  return defineTool({
    name: 'search',
    description:
      where +
      'Returns results with an id, a title and a short text. Results are leads, not evidence: read a result with read_source before using or citing it.',
    input: searchInput,
    async execute({ query, maxResults = 6 }, context): Promise<ResearchSearchOutput> {
      const trimmed = query.trim();
      let output: ResearchSearchOutput;
      const corpus = await resolveCorpus(options.corpus, context);
      if (corpus) {
        const results = corpus.search(trimmed, { limit: maxResults }).map((hit) => ({ id: `${corpusPrefix}${hit.docId}`, title: hit.title, passage: hit.passage }));
        output = { query: trimmed, searched: 'corpus', results };
      } else if (search) {
        context.heartbeat();
        const results = (await search.search(trimmed, { maxResults, signal: context.signal })).map((hit) => ({
          id: hit.url,
          title: hit.title,
          snippet: hit.snippet,
          ...(hit.publishedAt ? { publishedAt: hit.publishedAt } : {}),
        }));
        output = { query: trimmed, searched: search.name, results };
      } else {
        throw new ToolError('Search is not available: this research run has neither a document corpus nor a web search provider.', {
          kind: 'fatal',
          code: 'no_search',
          hint: 'Start the research with a corpus folder, or configure web search on the worker (TAVILY_API_KEY, BRAVE_API_KEY or SEARXNG_URL).',
        });
      }
      if (output.results.length === 0) output.note = 'Nothing found. Try fewer or different words, or synonyms.';
      return output;
    },
  });
}

export function readSourceTool(options: Omit<ResearchToolsOptions, 'search'>) {
  const { fetch = fetchPage, fetchOptions = {}, excerptChars = 3000 } = options;
  return defineTool({
    name: readSourceToolName,
    description:
      'Read a search result by its id. Returns the passages of the source most relevant to your focus, verbatim. ' +
      'Quote only from these excerpts, word for word, and cite the source by its id. ' +
      'Read the same source again with another focus to see other parts of it.',
    input: readInput,
    async execute({ id, focus }, context): Promise<string> {
      const corpus = await resolveCorpus(options.corpus, context);
      const source = await readSource(id.trim(), { corpus, fetch, fetchOptions }, context);
      const key = await recordSource(context.blobs, source);
      return [
        `Source: ${source.id}`,
        `Title: ${source.title}`,
        'Excerpts (verbatim, quote only from these):',
        excerpt(source.text, focus, { maxChars: excerptChars }),
        sourceRecordLine(key),
      ].join('\n');
    },
  });
}

async function readSource(
  id: string,
  options: Required<Pick<ResearchToolsOptions, 'fetch' | 'fetchOptions'>> & { corpus: Corpus | undefined },
  context: ToolContext,
): Promise<Source> {
  const { corpus } = options;
  if (/^https?:\/\//i.test(id)) {
    context.heartbeat();
    const page = await options.fetch(id, { ...options.fetchOptions, signal: context.signal, onProgress: () => context.heartbeat() });
    return { id, title: page.title || id, url: page.finalUrl, text: page.text, fetchedAt: page.fetchedAt };
  }
  const isCorpusId = id.toLowerCase().startsWith(corpusPrefix);
  if (isCorpusId || corpus?.has(normaliseDocId(id))) {
    const docId = normaliseDocId(isCorpusId ? id.slice(corpusPrefix.length) : id);
    if (!corpus) {
      throw new ToolError(`There is no document collection in this research run, so '${id}' cannot be read. Read the URLs that search returns.`, {
        kind: 'fatal',
        code: 'no_corpus',
      });
    }
    if (!corpus.has(docId)) {
      throw new ToolError(`There is no document '${docId}' in the collection. Pass an id exactly as search returned it, such as '${corpusPrefix}${corpus.documents[0]?.docId ?? 'notes/report.md'}'.`, {
        kind: 'fatal',
        code: 'unknown_document',
      });
    }
    return { id: `${corpusPrefix}${docId}`, title: corpus.title(docId), text: corpus.read(docId), fetchedAt: new Date().toISOString() };
  }
  throw new ToolError(
    `Cannot read '${id}': a source id is an http(s) URL or ${corpusPrefix}<docId>, exactly as search returned it.`,
    { kind: 'fatal', code: 'unknown_source' },
  );
}

async function resolveCorpus(corpus: Corpus | CorpusResolver | undefined, context: ToolContext): Promise<Corpus | undefined> {
  return typeof corpus === 'function' ? corpus(context) : corpus;
}
