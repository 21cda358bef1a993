import { isCairnError } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { SearchProviderError } from '../errors.ts';
import { type LocalServer, sendJson, startLocalServer } from '../test-support/local-server.ts';
import { braveProvider, braveQuery } from './brave.ts';
import { searxngProvider } from './searxng.ts';
import { tavilyProvider } from './tavily.ts';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function failure(promise: Promise<unknown>): Promise<SearchProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SearchProviderError);
  return error as SearchProviderError;
}

describe('Tavily', () => {
  it('posts the query with a bearer key and maps results', async () => {
    server = await startLocalServer((_request, response) =>
      sendJson(response, 200, {
        query: 'durable execution',
        follow_up_questions: null,
        answer: null,
        images: [],
        results: [
          { title: 'Durable Execution', url: 'https://temporal.example/durable', content: 'Durable execution &amp; <b>replay</b>.', score: 0.93, raw_content: null },
          { title: 'News item', url: 'https://news.example/item', content: 'Recent.', score: 0.5, published_date: 'Tue, 05 Mar 2024 10:00:00 GMT' },
          { title: 'Broken', content: 'no url' },
        ],
        response_time: 1.1,
      }),
    );
    const provider = tavilyProvider({ apiKey: 'tvly-test', baseUrl: server.url });
    const results = await provider.search('durable execution', { maxResults: 3 });

    expect(results).toEqual([
      { title: 'Durable Execution', url: 'https://temporal.example/durable', snippet: 'Durable execution & replay.' },
      { title: 'News item', url: 'https://news.example/item', snippet: 'Recent.', publishedAt: '2024-03-05T10:00:00.000Z' },
    ]);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe('/search');
    expect(request?.headers.authorization).toBe('Bearer tvly-test');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toMatchObject({ query: 'durable execution', max_results: 3, search_depth: 'basic', include_raw_content: false });
  });

  it('tolerates a response without results', async () => {
    server = await startLocalServer((_request, response) => sendJson(response, 200, { query: 'x' }));
    expect(await tavilyProvider({ apiKey: 'k', baseUrl: server.url }).search('x', { maxResults: 5 })).toEqual([]);
  });

  it('names the variable to check when the key is refused', async () => {
    server = await startLocalServer((_request, response) => sendJson(response, 401, { detail: { error: 'Unauthorized: missing or invalid API key.' } }));
    const error = await failure(tavilyProvider({ apiKey: 'bad', baseUrl: server.url }).search('x', { maxResults: 5 }));
    expect(error.message).toBe('Tavily refused the request (HTTP 401): Unauthorized: missing or invalid API key. Check TAVILY_API_KEY.');
    expect(error.kind).toBe('fatal');
    expect(error.status).toBe(401);
    expect(isCairnError(error)).toBe(true);
  });
});

describe('Brave Search', () => {
  it('sends the query and token and maps web results', async () => {
    server = await startLocalServer((_request, response) =>
      sendJson(response, 200, {
        type: 'search',
        query: { original: 'temporal workflows', more_results_available: true },
        mixed: { type: 'mixed', main: [] },
        web: {
          type: 'search',
          family_friendly: true,
          results: [
            {
              type: 'search_result',
              title: 'Temporal <strong>Workflows</strong>',
              url: 'https://docs.example/workflows',
              description: 'A <strong>Workflow</strong> Execution is durable &#39;by default&#39;.',
              page_age: '2024-01-15T00:00:00',
              age: 'January 15, 2024',
              profile: { name: 'Docs' },
              meta_url: { hostname: 'docs.example' },
            },
            { type: 'search_result', title: 'No description', url: 'https://blog.example/post', extra_snippets: ['An extra snippet.'], age: '2 days ago' },
          ],
        },
      }),
    );
    const provider = braveProvider({ apiKey: 'brave-key', baseUrl: server.url });
    const results = await provider.search('temporal workflows', { maxResults: 4 });

    expect(results).toEqual([
      { title: 'Temporal Workflows', url: 'https://docs.example/workflows', snippet: "A Workflow Execution is durable 'by default'.", publishedAt: '2024-01-15T00:00:00.000Z' },
      { title: 'No description', url: 'https://blog.example/post', snippet: 'An extra snippet.' },
    ]);
    const [request] = server.requests;
    const url = new URL(request!.url, server.url);
    expect(request?.method).toBe('GET');
    expect(url.pathname).toBe('/res/v1/web/search');
    expect(url.searchParams.get('q')).toBe('temporal workflows');
    expect(url.searchParams.get('count')).toBe('4');
    expect(request?.headers['x-subscription-token']).toBe('brave-key');
    expect(request?.headers.accept).toBe('application/json');
  });

  it('keeps queries within the API limits of 50 words and 400 characters', () => {
    expect(braveQuery(Array.from({ length: 60 }, (_, i) => `w${i}`).join(' ')).split(' ')).toHaveLength(50);
    expect(braveQuery('abcdefghi '.repeat(45)).length).toBeLessThanOrEqual(400);
  });

  it('reports rate limiting with the server hint', async () => {
    server = await startLocalServer((_request, response) =>
      sendJson(response, 429, { type: 'ErrorResponse', error: { code: 'RATE_LIMITED', detail: 'Request rate limit exceeded for plan.', status: 429 } }, {
        'x-ratelimit-reset': '2, 1419704',
      }),
    );
    const error = await failure(braveProvider({ apiKey: 'k', baseUrl: server.url }).search('x', { maxResults: 5 }));
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBe(2000);
    expect(error.message).toBe('Brave Search is rate-limiting searches (HTTP 429): Request rate limit exceeded for plan. Try again in 2 s.');
  });

  it('treats server errors as transient', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'text/html' });
      response.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
    });
    const error = await failure(braveProvider({ apiKey: 'k', baseUrl: server.url }).search('x', { maxResults: 5 }));
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('Brave Search failed with HTTP 503: 503 Service Unavailable');
  });
});

describe('SearXNG', () => {
  it('asks for JSON and maps results, keeping the instance path', async () => {
    server = await startLocalServer((_request, response) =>
      sendJson(response, 200, {
        query: 'bm25',
        number_of_results: 0,
        results: [
          { url: 'https://en.example/wiki/Okapi_BM25', title: 'Okapi BM25', content: 'A ranking function.', engine: 'wikipedia', engines: ['wikipedia'], score: 2, category: 'general', publishedDate: null },
          { url: 'https://paper.example/bm25plus', title: 'BM25+', content: 'Lower-bounding term frequency.', engine: 'arxiv', publishedDate: '2011-10-24T00:00:00' },
          { url: 'https://paper.example/other', title: 'Third', content: '' },
        ],
        answers: [],
        suggestions: [],
        unresponsive_engines: [],
      }),
    );
    const provider = searxngProvider({ baseUrl: `${server.url}/searx` });
    const results = await provider.search('bm25', { maxResults: 2 });

    expect(results).toEqual([
      { title: 'Okapi BM25', url: 'https://en.example/wiki/Okapi_BM25', snippet: 'A ranking function.' },
      { title: 'BM25+', url: 'https://paper.example/bm25plus', snippet: 'Lower-bounding term frequency.', publishedAt: '2011-10-24T00:00:00.000Z' },
    ]);
    const url = new URL(server.requests[0]!.url, server.url);
    expect(url.pathname).toBe('/searx/search');
    expect(url.searchParams.get('format')).toBe('json');
    expect(url.searchParams.get('q')).toBe('bm25');
  });

  it('explains how to enable the JSON format when the instance refuses it', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(403, { 'content-type': 'text/html' });
      response.end('Forbidden');
    });
    const error = await failure(searxngProvider({ baseUrl: server.url }).search('x', { maxResults: 5 }));
    expect(error.code).toBe('json_disabled');
    expect(error.message).toContain('search: formats: [html, json]');
  });

  it('refuses a base URL that is not http(s) when it is built', () => {
    expect(() => searxngProvider({ baseUrl: 'localhost:8080' })).toThrow(/SearXNG base URL "localhost:8080" is not an http\(s\) URL/);
  });
});

describe('every provider', () => {
  it('gives up after its timeout with a transient error', async () => {
    server = await startLocalServer(() => {
      /* never answers */
    });
    const started = Date.now();
    const error = await failure(tavilyProvider({ apiKey: 'k', baseUrl: server.url, timeoutMs: 150 }).search('x', { maxResults: 5 }));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(error.code).toBe('timeout');
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('Tavily did not answer within 150 ms. Try the search again.');
  });

  it("rethrows the caller's abort as is, so cancellation propagates", async () => {
    server = await startLocalServer(() => {
      /* never answers */
    });
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await expect(braveProvider({ apiKey: 'k', baseUrl: server.url }).search('x', { maxResults: 5, signal: controller.signal })).rejects.toBe(reason);
  });

  it('says which address it could not reach', async () => {
    const closed = await startLocalServer(() => undefined);
    await closed.close();
    const error = await failure(searxngProvider({ baseUrl: closed.url }).search('x', { maxResults: 5 }));
    expect(error.code).toBe('network');
    expect(error.message).toBe(`Could not reach SearXNG at ${closed.url}: connection refused (ECONNREFUSED).`);
  });

  it('reports a body that is not JSON', async () => {
    server = await startLocalServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>captive portal</html>');
    });
    const error = await failure(tavilyProvider({ apiKey: 'k', baseUrl: server.url }).search('x', { maxResults: 5 }));
    expect(error.code).toBe('invalid_response');
  });
});
