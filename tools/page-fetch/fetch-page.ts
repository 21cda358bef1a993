import { PageFetchError } from '../errors.ts';
import { ExtractionTimeoutError, extractReadableOffThread } from '../extract/extract-off-thread.ts';
import { abortReason, deadline } from '../shared/deadline.ts';
import { describeNetworkError, isTransientNetworkError, kindForStatus, retryAfterMs } from '../shared/http-status.ts';
import { privateAddressOf } from './address-guard.ts';
import { type ContentKind, contentKind, decodeText, describeMediaType, parseContentType, sniffContentKind, sniffHtmlCharset } from './content-type.ts';
import { readLimited } from './read-body.ts';

export interface FetchPageOptions {
  /** For the whole fetch: every redirect, the headers and the body. Default 15 s. */
  timeoutMs?: number;
  /** Bytes of body read at most; the rest is not downloaded and `truncated` is set. Default 2,000,000. */
  maxBytes?: number;
  /** Characters of extracted text kept at most; beyond, `truncated` is set. Default: no limit. */
  maxChars?: number;
  /** Redirects followed at most. Default 5. */
  maxRedirects?: number;
  /**
   * Fetch hosts on loopback, private and link-local addresses. Off by default:
   * the URLs come from a model that reads untrusted pages, and must not reach
   * the worker's internal network or a cloud metadata endpoint.
   */
  allowPrivateNetwork?: boolean;
  userAgent?: string;
  /** Aborts the fetch (rethrown as is): the run was cancelled or the activity timed out. */
  signal?: AbortSignal;
  /** Called as the body arrives; pass the tool context's heartbeat. */
  onProgress?: () => void;
}

export interface FetchedPage {
  /** The URL asked for. */
  url: string;
  /** The URL after redirects. */
  finalUrl: string;
  title: string;
  /** Readable text: the article of an HTML page, or the body of a text or Markdown file as is. */
  text: string;
  byline?: string;
  /** The media type the server declared (or `text/html` / `text/plain` when sniffed). */
  contentType: string;
  /** ISO 8601. */
  fetchedAt: string;
  /** True when the body exceeded `maxBytes` or the text exceeded `maxChars`. */
  truncated: boolean;
}

const defaultUserAgent = 'Mozilla/5.0 (compatible; CairnResearch/0.1; +deep-research agent)';
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches one web page and returns its readable text. Only http(s) URLs; HTML
 * goes through Readability (navigation, ads and footers dropped), plain text
 * and Markdown come back as they are, anything else (PDF, images) is refused
 * with a clear error. Every failure is a `PageFetchError` whose message a model
 * can act on, except a caller's abort, which is rethrown as is.
 */
export async function fetchPage(url: string, options: FetchPageOptions = {}): Promise<FetchedPage> {
  const { timeoutMs = 15_000, maxBytes = 2_000_000, maxChars = Infinity, maxRedirects = 5, allowPrivateNetwork = false, signal } = options;
  const requested = parseHttpUrl(url);
  const time = deadline(timeoutMs, signal);
  let current = requested;

  try {
    let response: Response;
    for (let redirects = 0; ; redirects++) {
      if (!allowPrivateNetwork) await refusePrivate(current, url, time.signal);
      response = await fetch(current, {
        redirect: 'manual',
        signal: time.signal,
        headers: {
          'user-agent': options.userAgent ?? defaultUserAgent,
          accept: 'text/html,application/xhtml+xml,text/markdown;q=0.9,text/plain;q=0.9,*/*;q=0.5',
          'accept-language': 'en;q=1.0, *;q=0.5',
        },
      });
      const location = response.headers.get('location');
      if (!redirectStatuses.has(response.status) || !location) break;
      await response.body?.cancel().catch(() => undefined);
      if (redirects >= maxRedirects) {
        throw new PageFetchError(`Too many redirects fetching ${url}: gave up after ${maxRedirects}. Try another source.`, {
          url, kind: 'fatal', code: 'too_many_redirects',
        });
      }
      current = parseHttpUrl(new URL(location, current).href, url);
    }

    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      throw new PageFetchError(`Fetching ${current.href} failed with HTTP ${status}${response.statusText ? ` ${response.statusText}` : ''}.${statusAdvice(status)}`, {
        url, status, kind: kindForStatus(status), code: 'http_status', retryAfterMs: retryAfterMs(response.headers),
      });
    }

    const declared = parseContentType(response.headers.get('content-type'));
    let kind = declared.mediaType === '' ? undefined : contentKind(declared.mediaType);
    if (declared.mediaType !== '' && !kind) {
      await response.body?.cancel().catch(() => undefined);
      throw unsupported(url, declared.mediaType);
    }

    const body = await readLimited(response.body, maxBytes, options.onProgress);
    kind ??= sniffContentKind(body.bytes);
    if (!kind) throw unsupported(url, '');

    const charset = declared.charset ?? (kind === 'html' ? sniffHtmlCharset(body.bytes) : undefined);
    let source = decodeText(body.bytes, charset);
    if (body.truncated) source = source.replace(/\uFFFD+$/, ''); // a character cut at the limit
    const page = await toText(kind, source, current);
    if (page.text.trim() === '') {
      throw new PageFetchError(
        `The page at ${current.href} has no readable text${kind === 'html' ? ' (it may be built by JavaScript, which is not run)' : ''}. Try another source.`,
        { url, kind: 'fatal', code: 'no_content' },
      );
    }
    const cut = page.text.length > maxChars;
    return {
      url,
      finalUrl: current.href,
      title: page.title,
      text: cut ? page.text.slice(0, maxChars) : page.text,
      ...(page.byline ? { byline: page.byline } : {}),
      contentType: declared.mediaType || (kind === 'html' ? 'text/html' : 'text/plain'),
      fetchedAt: new Date().toISOString(),
      truncated: body.truncated || cut,
    };
  } catch (error) {
    if (time.callerAborted()) throw abortReason(signal!);
    if (error instanceof PageFetchError) throw error;
    if (time.timedOut()) {
      throw new PageFetchError(`Timed out after ${timeoutMs} ms fetching ${url}: the site is slow or not answering. Try another source.`, {
        url, kind: 'transient', code: 'timeout', cause: error,
      });
    }
    throw new PageFetchError(`Could not fetch ${current.href}: ${describeNetworkError(error)}.`, {
      url, kind: isTransientNetworkError(error) ? 'transient' : 'fatal', code: 'network', cause: error,
    });
  }
}

function parseHttpUrl(value: string, requested = value): URL {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new PageFetchError(`${JSON.stringify(value)} is not a valid URL. Give a full address such as https://example.org/page.`, {
      url: requested, kind: 'fatal', code: 'invalid_url',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const where = value === requested ? '' : ` (redirected from ${requested})`;
    throw new PageFetchError(`Only http and https URLs can be fetched, not ${url.protocol} as in ${url.href}${where}.`, {
      url: requested, kind: 'fatal', code: 'invalid_url',
    });
  }
  return url;
}

async function refusePrivate(url: URL, requested: string, signal: AbortSignal): Promise<void> {
  const address = await privateAddressOf(url, signal);
  if (address === undefined) return;
  throw new PageFetchError(`Refusing to fetch ${url.href}: ${url.hostname} is a private or local address (${address}). Only public web pages can be fetched.`, {
    url: requested, kind: 'fatal', code: 'blocked_address',
    hint: 'To fetch from a private network on purpose, build the tool with allowPrivateNetwork: true.',
  });
}

function unsupported(url: string, mediaType: string): PageFetchError {
  const what = describeMediaType(mediaType);
  const advice = mediaType === 'application/pdf' ? ' PDF extraction is not supported yet; look for an HTML version of the document.' : ' Only HTML, plain text and Markdown pages can be read.';
  return new PageFetchError(`Cannot read ${url}: it is ${what}.${advice}`, { url, kind: 'fatal', code: 'unsupported_content_type' });
}

function statusAdvice(status: number): string {
  if (status === 401 || status === 403) return ' The page needs a login or refuses automated access; try another source.';
  if (status === 404 || status === 410) return ' The page does not exist; check the URL or search again.';
  if (status === 429) return ' The site is rate-limiting; try another source or later.';
  if (status >= 500) return ' The site has a problem; try again later or another source.';
  return '';
}

async function toText(kind: ContentKind, source: string, url: URL): Promise<{ title: string; text: string; byline?: string }> {
  if (kind === 'html') {
    let page;
    try {
      page = await extractReadableOffThread(source);
    } catch (error) {
      if (!(error instanceof ExtractionTimeoutError)) throw error;
      throw new PageFetchError(`Cannot read ${url.href}: ${error.message} Try another source.`, { url: url.href, kind: 'fatal', code: 'no_content', cause: error });
    }
    return { title: page.title || fallbackTitle(url), text: page.text, byline: page.byline };
  }
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  return { title: textTitle(text, kind) ?? fallbackTitle(url), text };
}

/** A Markdown document's first heading, or a text's first short line. */
export function textTitle(text: string, kind: 'text' | 'markdown'): string | undefined {
  if (kind === 'markdown') {
    const heading = /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(text)?.[1];
    if (heading) return heading.trim();
  }
  const first = text.split('\n').find((line) => line.trim() !== '')?.trim();
  return first && first.length <= 120 ? first : undefined;
}

function fallbackTitle(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop();
  if (!last) return url.hostname;
  let name = last;
  try {
    name = decodeURIComponent(last);
  } catch {
    // keep it encoded
  }
  return `${name} (${url.hostname})`;
}
