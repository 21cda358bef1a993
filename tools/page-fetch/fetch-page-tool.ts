import { defineTool } from '@cairn/core';
import { z } from 'zod';
import { type FetchedPage, type FetchPageOptions, fetchPage } from './fetch-page.ts';

export type FetchPageToolOptions = Omit<FetchPageOptions, 'signal' | 'onProgress'>;

const input = z.object({
  url: z.string().min(1).max(2048).describe('The full http(s) URL of the page, e.g. a URL from web_search results.'),
});

/**
 * The `fetch_page` tool: reads one web page as text. Defaults suit a model's
 * context: 15 s, 2 MB of download and 20,000 characters of text (`truncated`
 * says when the page was longer).
 */
export function fetchPageTool(options: FetchPageToolOptions = {}) {
  const settings: FetchPageToolOptions = { maxChars: 20_000, ...options };
  return defineTool({
    name: 'fetch_page',
    description:
      'Fetch a web page and return its readable text (the article without navigation or ads), with its title, final URL after redirects ' +
      'and whether the text was truncated. Works for HTML, plain text and Markdown; not for PDFs or images.',
    input,
    async execute({ url }, context): Promise<FetchedPage> {
      context.heartbeat();
      return fetchPage(url, { ...settings, signal: context.signal, onProgress: () => context.heartbeat() });
    },
  });
}
