import { defineTool } from '@cairn/core';
import { z } from 'zod';
import { type Corpus, type CorpusHit, normaliseDocId } from './corpus.ts';

export interface CorpusToolsOptions {
  /** Passages when the model does not ask for a number. Default 8. */
  defaultLimit?: number;
  /** Characters `corpus_read` returns per call; the model pages on with `offset`. Default 20,000. */
  maxReadChars?: number;
}

export interface CorpusSearchOutput {
  query: string;
  results: CorpusHit[];
  note?: string;
}

export interface CorpusReadOutput {
  docId: string;
  title: string;
  /** Exactly `corpus.read(docId).slice(offset, end)`. */
  text: string;
  offset: number;
  end: number;
  totalChars: number;
  /** Where to continue reading, when the document goes on. */
  nextOffset?: number;
}

const searchInput = z.object({
  query: z.string().min(1).max(500).describe('Keywords to look for in the documents.'),
  limit: z.number().int().min(1).max(50).optional().describe('How many passages to return (1-50, default 8).'),
});

const readInput = z.object({
  docId: z.string().min(1).describe('The docId of a document, exactly as corpus_search returned it.'),
  offset: z.number().int().min(0).optional().describe('Character offset to start reading from (default 0); use nextOffset from the previous read.'),
});

/** `corpus_search` and `corpus_read` over one corpus, to give to an agent: `tools: [...corpusTools(corpus)]`. */
export function corpusTools(corpus: Corpus, options: CorpusToolsOptions = {}) {
  return [corpusSearchTool(corpus, options), corpusReadTool(corpus, options)] as const;
}

export function corpusSearchTool(corpus: Corpus, options: CorpusToolsOptions = {}) {
  const { defaultLimit = 8 } = options;
  return defineTool({
    name: 'corpus_search',
    description:
      'Search the local document collection (keyword search, BM25 ranking). Returns the best-matching passages, each with its docId, ' +
      'document title, the passage text, a relevance score and its character range [start, end) in the document. ' +
      'Quote passages exactly as returned; read a whole document with corpus_read.',
    input: searchInput,
    execute({ query, limit }): CorpusSearchOutput {
      const results = corpus.search(query, { limit: limit ?? defaultLimit }).map((hit) => ({ ...hit, score: Math.round(hit.score * 1000) / 1000 }));
      const output: CorpusSearchOutput = { query, results };
      if (results.length === 0) output.note = 'No passage matched. Try other or fewer words, or synonyms.';
      return output;
    },
  });
}

export function corpusReadTool(corpus: Corpus, options: CorpusToolsOptions = {}) {
  const { maxReadChars = 20_000 } = options;
  return defineTool({
    name: 'corpus_read',
    description:
      `Read a document of the local collection by its docId, ${maxReadChars} characters at a time from offset (default 0). ` +
      'The text is the same as corpus_search passages are cut from; nextOffset says where to continue.',
    input: readInput,
    execute({ docId, offset = 0 }): CorpusReadOutput {
      const full = corpus.read(docId);
      const start = Math.min(offset, full.length);
      const end = Math.min(full.length, start + maxReadChars);
      const output: CorpusReadOutput = { docId: normaliseDocId(docId), title: corpus.title(docId), text: full.slice(start, end), offset: start, end, totalChars: full.length };
      if (end < full.length) output.nextOffset = end;
      return output;
    },
  });
}
