import { CairnError } from '@cairn/core';
import type { SearchResult } from './search-provider.ts';

const maxSnippetChars = 500;

const entities: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', hellip: '…', mdash: '—', ndash: '–',
  lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”', laquo: '«', raquo: '»', middot: '·', copy: '©',
};

/** Decodes the HTML entities search APIs leave in titles and snippets. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return entities[entity.toLowerCase()] ?? whole;
  });
}

/** Plain text from an API's title or snippet: no tags, no entities, one line, bounded. */
export function cleanText(value: unknown, maxChars = maxSnippetChars): string {
  if (typeof value !== 'string') return '';
  const text = decodeEntities(value.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxChars * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** An ISO 8601 timestamp from whatever date form an API uses, or undefined. */
export function toIsoDate(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  // A year is required: V8's parser reads "1" as 2001.
  if (typeof value === 'string' && !/\d{4}/.test(value)) return undefined;
  // A date-time without a zone (Brave's `page_age`) is read as UTC, not as the worker's local time.
  const text = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value.trim()) ? `${value.trim()}Z` : value;
  const time = typeof text === 'number' ? text : Date.parse(text);
  if (!Number.isFinite(time)) return undefined;
  const date = new Date(time);
  // Reject dates no web page was published on (parsers accept odd strings such as "1").
  if (date.getUTCFullYear() < 1990 || date.getTime() > Date.now() + 2 * 86_400_000) return undefined;
  return date.toISOString();
}

/** The URL if it is an absolute http(s) URL, else undefined. */
export function httpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value.trim());
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds results from an API's raw items: drops items without a usable URL and
 * duplicates (same URL without its fragment), fills a missing title from the
 * URL, and keeps at most `maxResults`.
 */
export function toResults(
  items: unknown,
  maxResults: number,
  map: (item: Record<string, unknown>) => { title?: unknown; url?: unknown; snippet?: unknown; publishedAt?: unknown },
): SearchResult[] {
  if (!Array.isArray(items)) return [];
  const seen = new Set<string>();
  const results: SearchResult[] = [];
  for (const item of items) {
    if (results.length >= maxResults) break;
    if (typeof item !== 'object' || item === null) continue;
    const raw = map(item as Record<string, unknown>);
    const url = httpUrl(raw.url);
    if (!url) continue;
    const key = url.replace(/#.*$/, '');
    if (seen.has(key)) continue;
    seen.add(key);
    const result: SearchResult = { title: cleanText(raw.title, 200) || new URL(url).hostname, url, snippet: cleanText(raw.snippet) };
    const publishedAt = toIsoDate(raw.publishedAt);
    if (publishedAt) result.publishedAt = publishedAt;
    results.push(result);
  }
  return results;
}

/** `path` under `base`, keeping a path prefix of the base (`https://host/searx/` + `search`). */
export function endpoint(base: string, path: string): URL {
  const url = new URL(base);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL(path.replace(/^\//, ''), url);
}

/** Keeps `maxResults` within what an API accepts. */
export function clampResults(maxResults: number, max: number): number {
  if (!Number.isFinite(maxResults)) return Math.min(5, max);
  return Math.min(max, Math.max(1, Math.floor(maxResults)));
}

/** Fails at configuration time, not at the first search, when a base URL is not an http(s) URL. */
export function checkBaseUrl(provider: string, baseUrl: string, variable?: string): void {
  let valid = false;
  try {
    const { protocol } = new URL(baseUrl);
    valid = protocol === 'http:' || protocol === 'https:';
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new CairnError(`The ${provider} base URL ${JSON.stringify(baseUrl)} is not an http(s) URL.`, {
      hint: variable ? `Set ${variable} to the instance's address, e.g. http://localhost:8080.` : undefined,
    });
  }
}
