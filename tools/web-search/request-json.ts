import { SearchProviderError } from '../errors.ts';
import { abortReason, deadline } from '../shared/deadline.ts';
import { describeNetworkError, isTransientNetworkError, kindForStatus, retryAfterMs } from '../shared/http-status.ts';

export interface JsonRequest {
  /** The provider's name as a person knows it, e.g. `Brave Search`; used in messages. */
  provider: string;
  url: URL;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The environment variable holding the credential, named when it is refused. */
  credentialVariable?: string;
}

/**
 * One JSON request to a search API, with a timeout, and every failure turned
 * into a `SearchProviderError` whose `kind` says whether trying again can help.
 * A caller's abort is rethrown as is.
 */
export async function requestJson(request: JsonRequest): Promise<unknown> {
  const { provider, url } = request;
  const time = deadline(request.timeoutMs, request.signal);
  const where = url.origin;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: request.method,
      headers: { accept: 'application/json', ...(request.body === undefined ? {} : { 'content-type': 'application/json' }), ...request.headers },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: time.signal,
      redirect: 'follow',
    });
    text = await response.text();
  } catch (error) {
    if (time.callerAborted()) throw abortReason(request.signal!);
    if (time.timedOut()) {
      throw new SearchProviderError(`${provider} did not answer within ${request.timeoutMs} ms. Try the search again.`, {
        provider, kind: 'transient', code: 'timeout', cause: error,
      });
    }
    throw new SearchProviderError(`Could not reach ${provider} at ${where}: ${describeNetworkError(error)}.`, {
      provider, kind: isTransientNetworkError(error) ? 'transient' : 'fatal', code: 'network', cause: error,
      hint: 'Check the network connection and the base URL of the search provider.',
    });
  }

  if (!response.ok) {
    const status = response.status;
    const detail = errorDetail(text);
    const suffix = detail ? `: ${detail}` : '.';
    if (status === 401 || status === 403) {
      const check = request.credentialVariable ? ` Check ${request.credentialVariable}.` : '';
      throw new SearchProviderError(`${provider} refused the request (HTTP ${status})${suffix}${check}`, {
        provider, status, kind: 'fatal', code: 'unauthorized',
        hint: request.credentialVariable ? `Set a valid key in ${request.credentialVariable}.` : undefined,
      });
    }
    if (status === 429) {
      const wait = retryAfterMs(response.headers) ?? rateLimitResetMs(response.headers);
      const when = wait === undefined ? 'later' : `in ${Math.ceil(wait / 1000)} s`;
      throw new SearchProviderError(`${provider} is rate-limiting searches (HTTP 429)${suffix} Try again ${when}.`, {
        provider, status, kind: 'rate_limited', code: 'rate_limited', retryAfterMs: wait,
      });
    }
    throw new SearchProviderError(`${provider} failed with HTTP ${status}${suffix}`, {
      provider, status, kind: kindForStatus(status), code: 'http_status',
    });
  }

  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SearchProviderError(`${provider} answered with something that is not JSON (starts with ${JSON.stringify(text.slice(0, 60))}).`, {
      provider, kind: 'transient', code: 'invalid_response', cause: error,
      hint: 'Check the base URL of the search provider.',
    });
  }
}

/** The error message inside an API's error body, whatever its shape. */
export function errorDetail(body: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    const text = body.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
    return text === '' ? undefined : text.slice(0, 200);
  }
  const candidates = [
    pick(json, 'detail', 'error'), pick(json, 'error', 'detail'), pick(json, 'error', 'message'),
    pick(json, 'detail'), pick(json, 'error'), pick(json, 'message'),
  ];
  const found = candidates.find((value): value is string => typeof value === 'string' && value.trim() !== '');
  return found?.trim().slice(0, 300);
}

function pick(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** `X-RateLimit-Reset: 1, 1419704` — seconds until the shortest window resets. */
function rateLimitResetMs(headers: Headers): number | undefined {
  const first = headers.get('x-ratelimit-reset')?.split(',')[0]?.trim();
  const seconds = first === undefined || first === '' ? NaN : Number(first);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
