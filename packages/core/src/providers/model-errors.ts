import { CairnError } from '../errors.ts';
import { redact, redactUrl } from '../redact.ts';

/**
 * How a failed model call should be treated:
 * - `transient`: retry with backoff (5xx, 408, 409, connection errors, timeouts);
 * - `rate_limited`: retry, but not before the server's hint (429, 529 overloaded);
 * - `fatal`: retrying cannot help (bad request, auth, unknown model, schema drift).
 */
export type ModelErrorKind = 'transient' | 'rate_limited' | 'fatal';

export class ModelCallError extends CairnError {
  readonly kind: ModelErrorKind;
  readonly provider: string;
  readonly status?: number;
  /** From `retry-after-ms` or `retry-after`, when the server sent one. */
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    details: { kind: ModelErrorKind; provider: string; status?: number; retryAfterMs?: number; hint?: string; cause?: unknown },
  ) {
    super(message, { hint: details.hint, cause: details.cause });
    this.name = 'ModelCallError';
    this.kind = details.kind;
    this.provider = details.provider;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** Statuses worth retrying; everything else in 4xx is final. */
export function kindForStatus(status: number): ModelErrorKind {
  if (status === 429 || status === 529) return 'rate_limited';
  if (status === 408 || status === 409 || status === 425 || status >= 500) return 'transient';
  return 'fatal';
}

/**
 * Reads the server's retry hint. `retry-after-ms` (OpenAI, Anthropic) wins over
 * `retry-after`, which is either seconds or an HTTP date.
 */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A one-line hint for the statuses a person can fix. */
export function hintForStatus(provider: string, status: number | undefined, apiKeyVariable: string): string | undefined {
  switch (status) {
    case 400:
    case 422:
      return 'The request was rejected as invalid: check the model name, tool schemas and max tokens.';
    case 401:
      return `The API key was refused: check ${apiKeyVariable}.`;
    case 403:
      return `The API key has no access to this model or endpoint on ${provider}.`;
    case 404:
      return `The model or endpoint does not exist on ${provider}: check the model id and the base URL.`;
    default:
      return undefined;
  }
}

/** What an adapter knows about a failed HTTP call, read from its SDK's error. */
export interface StatusFailure {
  /** The provider's display name, e.g. `OpenAI`. */
  provider: string;
  status: number;
  /** The server's own explanation, when its error body carried one. */
  serverMessage?: string;
  headers?: { get(name: string): string | null };
  /** The environment variable that holds this provider's key, named in auth hints. */
  apiKeyVariable: string;
  cause?: unknown;
}

/**
 * Builds the error for a model call the server answered with an error status.
 * The message names the provider, the status and the server's words, and ends
 * with what to do, so that it stays useful once only the message survives
 * (e.g. inside a Temporal failure).
 */
export function modelErrorForStatus(failure: StatusFailure, now = Date.now()): ModelCallError {
  const { provider, status, apiKeyVariable } = failure;
  const kind = kindForStatus(status);
  const retryAfter = retryAfterMs(failure.headers, now);
  const what =
    kind === 'rate_limited'
      ? status === 529
        ? `${provider} is overloaded (HTTP ${status})`
        : `${provider} rate-limited the call (HTTP ${status})`
      : `${provider} rejected the call with HTTP ${status}`;
  const serverMessage = failure.serverMessage?.trim();
  const hint =
    hintForStatus(provider, status, apiKeyVariable) ??
    (kind === 'fatal'
      ? undefined
      : retryAfter !== undefined
        ? `It will be retried after ${formatMs(retryAfter)}, as the server asked.`
        : 'It will be retried with backoff.');
  const message = [`${what}${serverMessage ? `: ${serverMessage}` : '.'}`, hint].filter(Boolean).join(' ');
  return new ModelCallError(message, { kind, provider, status, retryAfterMs: retryAfter, hint, cause: failure.cause });
}

/** The server could not be reached, or did not answer in time: always worth a retry. */
/**
 * A base URL with a user name or password: the HTTP client refuses to send
 * such a request, and the URL would print its password in every error.
 */
export function assertNoUrlCredentials(provider: string, variable: string, baseURL: string | undefined): void {
  if (!baseURL) return;
  let parsed: URL;
  try {
    parsed = new URL(baseURL);
  } catch {
    return; // The client reports a malformed URL itself.
  }
  if (!parsed.username && !parsed.password) return;
  throw new ModelCallError(`The ${provider} base URL ${redactUrl(baseURL)} includes a user name or password, which the client cannot send.`, {
    kind: 'fatal',
    provider,
    hint: `Remove them from ${variable} and give the key in the API key variable instead.`,
  });
}

export function modelConnectionError(provider: string, baseURL: string, cause: unknown, timedOut: boolean): ModelCallError {
  const reason = describeCause(cause);
  const where = redactUrl(baseURL);
  const message = timedOut ? `${provider} at ${where} did not answer in time.` : `Could not reach ${provider} at ${where}${reason ? `: ${redact(reason)}` : '.'}`;
  return new ModelCallError(message, {
    kind: 'transient',
    provider,
    hint: timedOut
      ? 'It will be retried; raise the adapter timeout if the model needs longer for large outputs.'
      : 'It will be retried; check the network and the base URL if this persists.',
    cause,
  });
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The innermost useful reason of a connection failure (e.g. `connect ECONNREFUSED 127.0.0.1:9`). */
function describeCause(cause: unknown): string | undefined {
  let current: unknown = cause;
  let best: string | undefined;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (current.message && current.message !== 'Connection error.' && current.message !== 'fetch failed') best = current.message;
    else if (typeof code === 'string') best = code;
    current = current.cause;
  }
  return best;
}

/**
 * The caller's abort, as the caller made it: `signal.reason` (an `AbortError`
 * DOMException unless they gave their own reason, e.g. Temporal's
 * `CancelledFailure`). Adapters rethrow it instead of a retryable model error.
 */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The model call was aborted.', 'AbortError');
}
