import type { ToolErrorKind } from '../errors.ts';

/** Statuses worth retrying; everything else in 4xx is final. */
export function kindForStatus(status: number): ToolErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 409 || status === 425 || status >= 500) return 'transient';
  return 'fatal';
}

/** Reads `retry-after` (seconds or an HTTP date) as milliseconds. */
export function retryAfterMs(headers: { get(name: string): string | null }, now = Date.now()): number | undefined {
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Node's fetch reports network failures as `TypeError: fetch failed` with the system error as cause. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A short description of a network failure, e.g. `connection refused (ECONNREFUSED)`. */
export function describeNetworkError(error: unknown): string {
  const code = networkErrorCode(error);
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed by the server',
    CERT_HAS_EXPIRED: 'TLS certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
    ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  };
  if (code && known[code]) return `${known[code]} (${code})`;
  const cause = (error as { cause?: unknown })?.cause;
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return code ? `${message} (${code})` : message;
}

/** Whether a network failure is worth another try later. */
export function isTransientNetworkError(error: unknown): boolean {
  const code = networkErrorCode(error);
  return code !== 'ENOTFOUND' && !code?.includes('CERT') && code !== 'ERR_TLS_CERT_ALTNAME_INVALID';
}
