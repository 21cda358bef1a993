import { checkBaseUrl, clampResults, endpoint, toResults } from './normalize.ts';
import { requestJson } from './request-json.ts';
import type { HttpProviderOptions, SearchProvider, SearchProviderFactory } from './search-provider.ts';

export interface TavilyOptions extends HttpProviderOptions {
  /** `basic` (default, 1 credit) or `advanced` (2 credits, better snippets). */
  searchDepth?: 'basic' | 'advanced';
  /** `general` (default) or `news`; only `news` results carry a publication date. */
  topic?: 'general' | 'news';
}

/**
 * Tavily's search API, built for LLM agents: `POST /search` with a bearer key;
 * each result's `content` is a query-relevant excerpt of the page.
 */
export function tavilyProvider(options: TavilyOptions): SearchProvider {
  const { apiKey, baseUrl = 'https://api.tavily.com', timeoutMs = 20_000, searchDepth = 'basic', topic = 'general' } = options;
  checkBaseUrl('Tavily', baseUrl);
  return {
    name: 'tavily',
    async search(query, { maxResults, signal }) {
      const data = await requestJson({
        provider: 'Tavily',
        url: endpoint(baseUrl, 'search'),
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}` },
        body: {
          query,
          max_results: clampResults(maxResults, 20),
          search_depth: searchDepth,
          topic,
          include_answer: false,
          include_raw_content: false,
          include_images: false,
        },
        timeoutMs,
        signal,
        credentialVariable: 'TAVILY_API_KEY',
      });
      const items = (data as { results?: unknown } | null)?.results;
      return toResults(items, maxResults, (item) => ({
        title: item.title,
        url: item.url,
        snippet: item.content,
        publishedAt: item.published_date,
      }));
    },
  };
}

export const tavilyFactory: SearchProviderFactory = {
  name: 'tavily',
  variable: 'TAVILY_API_KEY',
  fromEnv: (env) => (env.TAVILY_API_KEY?.trim() ? tavilyProvider({ apiKey: env.TAVILY_API_KEY.trim() }) : undefined),
};
