/** Statuses and retry hints are read the same way for tools as for model calls. */
export { kindForStatus, retryAfterMs } from '@cairn/core';

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
