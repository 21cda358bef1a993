import { defineTool } from '@cairn/core';
import { z } from 'zod';
import type { SearchProvider, SearchResult } from './search-provider.ts';
import { selectSearchProvider } from './select-provider.ts';

export interface WebSearchToolOptions {
  /** Results when the model does not ask for a number. Default 5. */
  defaultResults?: number;
}

export interface WebSearchOutput {
  query: string;
  provider: string;
  results: SearchResult[];
  /** Said when nothing was found, so the model rephrases instead of concluding. */
  note?: string;
}

const input = z.object({
  query: z.string().min(1).max(400).describe('What to search the web for: keywords or a short question.'),
  maxResults: z.number().int().min(1).max(20).optional().describe('How many results to return (1-20, default 5).'),
});

/**
 * The `web_search` tool. Without a provider it picks one from the environment
 * (see `selectSearchProvider`) at its first call, so an agent that never
 * searches runs without any search key; pass `selectSearchProvider()` to fail
 * at start-up instead.
 */
export function webSearchTool(provider?: SearchProvider, options: WebSearchToolOptions = {}) {
  const { defaultResults = 5 } = options;
  let resolved = provider;
  return defineTool({
    name: 'web_search',
    description:
      'Search the web. Returns a list of results, each with title, url, a short snippet and, when known, the publication date. ' +
      'Snippets are excerpts chosen by the search engine: fetch a page with fetch_page before relying on it.',
    input,
    async execute({ query, maxResults }, context): Promise<WebSearchOutput> {
      resolved ??= selectSearchProvider();
      context.heartbeat();
      const results = await resolved.search(query.trim(), { maxResults: maxResults ?? defaultResults, signal: context.signal });
      const output: WebSearchOutput = { query: query.trim(), provider: resolved.name, results };
      if (results.length === 0) output.note = 'No results. Try fewer or different words.';
      return output;
    },
  });
}
