import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PageFetchError } from '../errors.ts';
import { type LocalServer, startLocalServer } from '../test-support/local-server.ts';
import { toolContext } from '../test-support/tool-context.ts';
import { fetchPageTool } from './fetch-page-tool.ts';
import { type FetchPageOptions, fetchPage, textTitle } from './fetch-page.ts';

const articleParagraph = (n: number) =>
  `<p>Paragraph ${n} of the article explains how durable execution works, with enough words, commas, and detail ` +
  `that a reader view keeps it. Workflows replay their history, activities run once, and the result is recorded.</p>`;

const articleHtml = `<!doctype html><html lang="en"><head><title>How durable execution works</title>
<meta name="author" content="Grace Hopper"></head><body>
<nav class="site-nav"><ul><li><a href="/">Home</a></li><li><a href="/pricing">Pricing menu link</a></li><li><a href="/login">Log in</a></li></ul></nav>
<div id="ad-top" class="advertisement">ADVERTISEMENT: Try FooCloud free for 30 days</div>
<article><h1>How durable execution works</h1>${[1, 2, 3, 4].map(articleParagraph).join('\n')}</article>
<footer><p>© 2024 Example Corp. All rights reserved. Privacy policy.</p></footer>
</body></html>`;

let server: LocalServer;
let slowBodyTimer: NodeJS.Timeout | undefined;

function send(response: ServerResponse, status: number, type: string | undefined, body: string | Buffer, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...(type ? { 'content-type': type } : {}), ...headers });
  response.end(body);
}

beforeAll(async () => {
  server = await startLocalServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    switch (path) {
      case '/article':
        return send(response, 200, 'text/html; charset=utf-8', articleHtml);
      case '/notes.txt':
        return send(response, 200, 'text/plain; charset=utf-8', 'Plain notes\r\n\r\nLine two,   spaced   as is.\r\n');
      case '/readme.md':
        return send(response, 200, 'text/markdown', '---\nx: 1\n---\n# Read me\n\nSome *markdown*.\n');
      case '/latin1':
        return send(response, 200, 'text/plain; charset=iso-8859-1', Buffer.from('Café crème', 'latin1'));
      case '/meta-charset':
        return send(response, 200, 'text/html', Buffer.concat([Buffer.from('<html><head><meta charset="windows-1252"><title>Caf'), Buffer.from([0xe9]), Buffer.from('</title></head><body><p>Na'), Buffer.from([0xef]), Buffer.from('ve text.</p></body></html>')]));
      case '/untyped':
        return send(response, 200, undefined, '<!DOCTYPE html><html><head><title>Untyped</title></head><body><p>Sniffed as HTML.</p></body></html>');
      case '/huge':
        return send(response, 200, 'text/plain', 'x'.repeat(300_000));
      case '/endless': {
        response.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'y'.repeat(16_384);
        const pump = () => {
          while (!response.destroyed && response.write(chunk)) {
            /* fill the buffer */
          }
          if (!response.destroyed) response.once('drain', pump);
        };
        return pump();
      }
      case '/slow':
        return void setTimeout(() => send(response, 200, 'text/plain', 'too late'), 3_000);
      case '/slow-body':
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.write('first bytes...');
        slowBodyTimer = setTimeout(() => response.end('rest'), 3_000);
        return;
      case '/image.png':
        return send(response, 200, 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]));
      case '/paper.pdf':
        return send(response, 200, 'application/pdf', '%PDF-1.7');
      case '/old':
        return send(response, 301, 'text/html', 'moved', { location: '/hop' });
      case '/hop':
        return send(response, 302, undefined, '', { location: `${server.url}/article` });
      case '/loop':
        return send(response, 302, undefined, '', { location: '/loop' });
      case '/to-ftp':
        return send(response, 302, undefined, '', { location: 'ftp://files.example/x' });
      case '/empty-spa':
        return send(response, 200, 'text/html', '<html><head><title>App</title></head><body><div id="root"></div><script>render()</script></body></html>');
      case '/missing':
        return send(response, 404, 'text/html', '<h1>Not found</h1>');
      default:
        return send(response, 500, 'text/plain', 'unexpected path');
    }
  });
});

afterAll(async () => {
  clearTimeout(slowBodyTimer);
  await server.close();
});

const local: FetchPageOptions = { allowPrivateNetwork: true };

async function failure(promise: Promise<unknown>): Promise<PageFetchError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(PageFetchError);
  return error as PageFetchError;
}

describe('fetchPage', () => {
  it('extracts the article of an HTML page without navigation, ads or footer', async () => {
    const page = await fetchPage(`${server.url}/article`, local);
    expect(page.text).toContain('Paragraph 1 of the article explains how durable execution works');
    expect(page.text).toContain('Paragraph 4');
    for (const boilerplate of ['Pricing menu link', 'Log in', 'ADVERTISEMENT', 'All rights reserved']) expect(page.text).not.toContain(boilerplate);
    expect(page).toMatchObject({
      url: `${server.url}/article`,
      finalUrl: `${server.url}/article`,
      title: 'How durable execution works',
      byline: 'Grace Hopper',
      contentType: 'text/html',
      truncated: false,
    });
    expect(Date.parse(page.fetchedAt)).not.toBeNaN();
  });

  it('returns plain text and Markdown as they are', async () => {
    const text = await fetchPage(`${server.url}/notes.txt`, local);
    expect(text.text).toBe('Plain notes\n\nLine two,   spaced   as is.\n');
    expect(text.title).toBe('Plain notes');
    const markdown = await fetchPage(`${server.url}/readme.md`, local);
    expect(markdown.text).toBe('---\nx: 1\n---\n# Read me\n\nSome *markdown*.\n');
    expect(markdown.title).toBe('Read me');
  });

  it('decodes the charset from the header or the page', async () => {
    expect((await fetchPage(`${server.url}/latin1`, local)).text).toBe('Café crème');
    const page = await fetchPage(`${server.url}/meta-charset`, local);
    expect(page.title).toBe('Café');
    expect(page.text).toContain('Naïve text.');
  });

  it('sniffs HTML when the server sends no content type', async () => {
    const page = await fetchPage(`${server.url}/untyped`, local);
    expect(page.text).toContain('Sniffed as HTML.');
    expect(page.contentType).toBe('text/html');
  });

  it('stops reading at maxBytes and says the text is truncated', async () => {
    const page = await fetchPage(`${server.url}/huge`, { ...local, maxBytes: 10_000 });
    expect(page.truncated).toBe(true);
    expect(page.text).toBe('x'.repeat(10_000));
  });

  it('stops reading a body that never ends', async () => {
    const page = await fetchPage(`${server.url}/endless`, { ...local, maxBytes: 100_000, timeoutMs: 5_000 });
    expect(page.truncated).toBe(true);
    expect(page.text.length).toBe(100_000);
  });

  it('cuts the text at maxChars', async () => {
    const page = await fetchPage(`${server.url}/article`, { ...local, maxChars: 100 });
    expect(page.text.length).toBe(100);
    expect(page.truncated).toBe(true);
  });

  it('gives up on a slow server with a clear timeout error', async () => {
    const started = Date.now();
    const error = await failure(fetchPage(`${server.url}/slow`, { ...local, timeoutMs: 200 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe('timeout');
    expect(error.kind).toBe('transient');
    expect(error.message).toBe(`Timed out after 200 ms fetching ${server.url}/slow: the site is slow or not answering. Try another source.`);
  });

  it('gives up on a body that trickles in past the timeout', async () => {
    const error = await failure(fetchPage(`${server.url}/slow-body`, { ...local, timeoutMs: 300 }));
    expect(error.code).toBe('timeout');
  });

  it('refuses content that is not text', async () => {
    const image = await failure(fetchPage(`${server.url}/image.png`, local));
    expect(image.code).toBe('unsupported_content_type');
    expect(image.message).toBe(`Cannot read ${server.url}/image.png: it is an image (image/png). Only HTML, plain text and Markdown pages can be read.`);
    const pdf = await failure(fetchPage(`${server.url}/paper.pdf`, local));
    expect(pdf.message).toContain('it is a PDF document. PDF extraction is not supported yet');
    expect(pdf.kind).toBe('fatal');
  });

  it('follows redirects, relative and absolute, and reports the final URL', async () => {
    const page = await fetchPage(`${server.url}/old`, local);
    expect(page.url).toBe(`${server.url}/old`);
    expect(page.finalUrl).toBe(`${server.url}/article`);
    expect(page.title).toBe('How durable execution works');
  });

  it('stops after maxRedirects', async () => {
    const error = await failure(fetchPage(`${server.url}/loop`, { ...local, maxRedirects: 3 }));
    expect(error.code).toBe('too_many_redirects');
    expect(error.message).toBe(`Too many redirects fetching ${server.url}/loop: gave up after 3. Try another source.`);
  });

  it('does not follow a redirect to another scheme', async () => {
    const error = await failure(fetchPage(`${server.url}/to-ftp`, local));
    expect(error.code).toBe('invalid_url');
    expect(error.message).toContain('not ftp:');
  });

  it('reports HTTP errors with advice', async () => {
    const error = await failure(fetchPage(`${server.url}/missing`, local));
    expect(error).toMatchObject({ code: 'http_status', status: 404, kind: 'fatal' });
    expect(error.message).toBe(`Fetching ${server.url}/missing failed with HTTP 404 Not Found. The page does not exist; check the URL or search again.`);
  });

  it('says when a page has no readable text', async () => {
    const error = await failure(fetchPage(`${server.url}/empty-spa`, local));
    expect(error.code).toBe('no_content');
    expect(error.message).toContain('it may be built by JavaScript');
  });

  it('accepts only http(s) URLs', async () => {
    expect((await failure(fetchPage('file:///etc/passwd'))).message).toBe('Only http and https URLs can be fetched, not file: as in file:///etc/passwd.');
    expect((await failure(fetchPage('not a url'))).code).toBe('invalid_url');
  });

  it('refuses private and local addresses unless allowed', async () => {
    const before = server.requests.length;
    const error = await failure(fetchPage(`${server.url}/article`));
    expect(error.code).toBe('blocked_address');
    expect(error.message).toContain('127.0.0.1 is a private or local address');
    expect(server.requests.length).toBe(before); // refused before any request
    expect((await failure(fetchPage('http://localhost:1/'))).code).toBe('blocked_address');
  });

  it("rethrows the caller's abort as is", async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    setTimeout(() => controller.abort(reason), 50);
    await expect(fetchPage(`${server.url}/slow`, { ...local, signal: controller.signal })).rejects.toBe(reason);
  });
});

describe('fetch_page tool', () => {
  it('fetches with the context signal, heartbeats, and caps the text for the model', async () => {
    const tool = fetchPageTool({ allowPrivateNetwork: true, maxChars: 200 });
    expect(tool.name).toBe('fetch_page');
    const context = toolContext();
    const page = await tool.execute(tool.input.parse({ url: `${server.url}/article` }), context);
    expect(page.text.length).toBe(200);
    expect(page.truncated).toBe(true);
    expect(context.heartbeats).toBeGreaterThan(0);
  });

  it('is safe by default', async () => {
    await expect(fetchPageTool().execute({ url: `${server.url}/article` }, toolContext())).rejects.toThrow(/private or local address/);
  });
});

describe('textTitle', () => {
  it('takes the first Markdown heading, or a short first line', () => {
    expect(textTitle('intro\n\n## Section ##\n', 'markdown')).toBe('Section');
    expect(textTitle('\n\nFirst line\nsecond', 'text')).toBe('First line');
    expect(textTitle('x'.repeat(200), 'text')).toBeUndefined();
  });
});
