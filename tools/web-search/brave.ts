import { checkBaseUrl, clampResults, endpoint, toResults } from './normalize.ts';
import { requestJson } from './request-json.ts';
import type { HttpProviderOptions, SearchProvider, SearchProviderFactory } from './search-provider.ts';

export interface BraveOptions extends HttpProviderOptions {
  /** `off`, `moderate` (the API's default) or `strict`. */
  safesearch?: 'off' | 'moderate' | 'strict';
}

/** Brave's limits on `q`: 400 characters and 50 words; longer queries are refused. */
export function braveQuery(query: string): string {
  const words = query.trim().split(/\s+/).slice(0, 50).join(' ');
  return words.length <= 400 ? words : words.slice(0, 400).replace(/\s+\S*$/, '');
}

/**
 * Brave Search's web search API: `GET /res/v1/web/search` with the key in
 * `X-Subscription-Token`; results are under `web.results`, with the excerpt in
 * `description` and the page's date, when known, in `page_age`.
 */
export function braveProvider(options: BraveOptions): SearchProvider {
  const { apiKey, baseUrl = 'https://api.search.brave.com', timeoutMs = 20_000, safesearch = 'moderate' } = options;
  checkBaseUrl('Brave Search', baseUrl);
  return {
    name: 'brave',
    async search(query, { maxResults, signal }) {
      const url = endpoint(baseUrl, 'res/v1/web/search');
      url.searchParams.set('q', braveQuery(query));
      url.searchParams.set('count', String(clampResults(maxResults, 20)));
      url.searchParams.set('safesearch', safesearch);
      url.searchParams.set('text_decorations', 'false');
      url.searchParams.set('result_filter', 'web');
      const data = await requestJson({
        provider: 'Brave Search',
        url,
        method: 'GET',
        headers: { 'x-subscription-token': apiKey },
        timeoutMs,
        signal,
        credentialVariable: 'BRAVE_API_KEY',
      });
      const items = (data as { web?: { results?: unknown } } | null)?.web?.results;
      return toResults(items, maxResults, (item) => ({
        title: item.title,
        url: item.url,
        snippet: item.description || (Array.isArray(item.extra_snippets) ? item.extra_snippets[0] : undefined),
        publishedAt: item.page_age ?? item.age,
      }));
    },
  };
}

export const braveFactory: SearchProviderFactory = {
  name: 'brave',
  variable: 'BRAVE_API_KEY',
  fromEnv: (env) => (env.BRAVE_API_KEY?.trim() ? braveProvider({ apiKey: env.BRAVE_API_KEY.trim() }) : undefined),
};
