import { SearchProviderError } from '../errors.ts';
import { checkBaseUrl, endpoint, toResults } from './normalize.ts';
import { requestJson } from './request-json.ts';
import type { SearchProvider, SearchProviderFactory } from './search-provider.ts';

export interface SearxngOptions {
  /** The instance, e.g. `http://localhost:8080` (a path prefix such as `/searx/` is kept). */
  baseUrl: string;
  /** Sent as a bearer token, for instances behind an authenticating proxy. */
  apiKey?: string;
  timeoutMs?: number;
  /** SearXNG categories, e.g. `general` or `science`. */
  categories?: string;
  /** e.g. `en`; the instance's default otherwise. */
  language?: string;
}

/**
 * A self-hosted SearXNG metasearch instance: `GET /search?format=json`. The
 * JSON format must be enabled in the instance's settings.yml
 * (`search: formats: [html, json]`); otherwise it answers 403.
 */
export function searxngProvider(options: SearxngOptions): SearchProvider {
  const { baseUrl, apiKey, timeoutMs = 20_000, categories, language } = options;
  checkBaseUrl('SearXNG', baseUrl, 'SEARXNG_URL');
  return {
    name: 'searxng',
    async search(query, { maxResults, signal }) {
      const url = endpoint(baseUrl, 'search');
      url.searchParams.set('q', query);
      url.searchParams.set('format', 'json');
      url.searchParams.set('pageno', '1');
      if (categories) url.searchParams.set('categories', categories);
      if (language) url.searchParams.set('language', language);
      let data: unknown;
      try {
        data = await requestJson({
          provider: 'SearXNG',
          url,
          method: 'GET',
          headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
          timeoutMs,
          signal,
        });
      } catch (error) {
        if (error instanceof SearchProviderError && error.status === 403) {
          throw new SearchProviderError(`SearXNG at ${url.origin} refused the JSON format (HTTP 403): enable it in the instance's settings.yml with search: formats: [html, json].`, {
            provider: 'SearXNG', status: 403, kind: 'fatal', code: 'json_disabled',
          });
        }
        throw error;
      }
      const items = (data as { results?: unknown } | null)?.results;
      return toResults(items, maxResults, (item) => ({
        title: item.title,
        url: item.url,
        snippet: item.content,
        publishedAt: item.publishedDate ?? item.pubdate,
      }));
    },
  };
}

export const searxngFactory: SearchProviderFactory = {
  name: 'searxng',
  variable: 'SEARXNG_URL',
  fromEnv: (env) => (env.SEARXNG_URL?.trim() ? searxngProvider({ baseUrl: env.SEARXNG_URL.trim() }) : undefined),
};
