import { CairnError } from '../errors.ts';

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
  if (status === 408 || status === 409 || status >= 500) return 'transient';
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
