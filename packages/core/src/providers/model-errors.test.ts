import { describe, expect, it } from 'vitest';
import { isCairnError } from '../errors.ts';
import { abortReason, kindForStatus, ModelCallError, modelConnectionError, modelErrorForStatus, retryAfterMs } from './model-errors.ts';

const headers = (values: Record<string, string>) => new Headers(values);

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds from retry-after', () => {
    expect(retryAfterMs(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(retryAfterMs(headers({ 'retry-after': '0.5' }), now)).toBe(500);
  });

  it('prefers retry-after-ms', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '1500', 'retry-after': '9' }), now)).toBe(1500);
  });

  it('falls back to retry-after when retry-after-ms is not a number', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': 'soon', 'retry-after': '3' }), now)).toBe(3000);
  });

  it('reads an HTTP date', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:30 GMT' }), now)).toBe(30_000);
  });

  it('never returns a negative wait', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(headers({ 'retry-after': '-5' }), now)).toBe(0);
  });

  it('ignores garbage and absent headers', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'later, maybe' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': '  ' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('kindForStatus', () => {
  it.each([
    [400, 'fatal'],
    [401, 'fatal'],
    [403, 'fatal'],
    [404, 'fatal'],
    [408, 'transient'],
    [409, 'transient'],
    [422, 'fatal'],
    [429, 'rate_limited'],
    [500, 'transient'],
    [503, 'transient'],
    [529, 'rate_limited'],
  ] as const)('%i → %s', (status, kind) => {
    expect(kindForStatus(status)).toBe(kind);
  });
});

describe('modelErrorForStatus', () => {
  it('says who refused what, and what to do', () => {
    const error = modelErrorForStatus({
      provider: 'OpenAI',
      status: 401,
      serverMessage: 'Incorrect API key provided.',
      apiKeyVariable: 'OPENAI_API_KEY',
    });
    expect(error).toBeInstanceOf(ModelCallError);
    expect(isCairnError(error)).toBe(true);
    expect(error).toMatchObject({ name: 'ModelCallError', kind: 'fatal', status: 401, provider: 'OpenAI' });
    expect(error.message).toBe(
      'OpenAI rejected the call with HTTP 401: Incorrect API key provided. The API key was refused: check OPENAI_API_KEY.',
    );
  });

  it('carries the retry hint of a rate limit', () => {
    const error = modelErrorForStatus({
      provider: 'Anthropic',
      status: 429,
      serverMessage: 'Too many requests',
      headers: headers({ 'retry-after': '2' }),
      apiKeyVariable: 'ANTHROPIC_API_KEY',
    });
    expect(error).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
    expect(error.message).toContain('Anthropic rate-limited the call (HTTP 429): Too many requests');
    expect(error.message).toContain('after 2s');
  });

  it('calls 529 overloaded and works without a server message', () => {
    const error = modelErrorForStatus({ provider: 'Anthropic', status: 529, apiKeyVariable: 'ANTHROPIC_API_KEY' });
    expect(error.kind).toBe('rate_limited');
    expect(error.retryAfterMs).toBeUndefined();
    expect(error.message).toMatch(/^Anthropic is overloaded \(HTTP 529\)\. It will be retried with backoff\.$/);
  });
});

describe('modelConnectionError', () => {
  it('is transient and names the innermost cause', () => {
    const cause = new Error('Connection error.', {
      cause: new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) }),
    });
    const error = modelConnectionError('OpenAI', 'http://127.0.0.1:9/v1', cause, false);
    expect(error.kind).toBe('transient');
    expect(error.message).toBe('Could not reach OpenAI at http://127.0.0.1:9/v1: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('says when the server took too long', () => {
    expect(modelConnectionError('Anthropic', 'http://x', new Error('Request timed out.'), true).message).toBe(
      'Anthropic at http://x did not answer in time.',
    );
  });
});

describe('abortReason', () => {
  it("returns the caller's reason, or an AbortError", () => {
    const controller = new AbortController();
    controller.abort();
    expect(abortReason(controller.signal)).toMatchObject({ name: 'AbortError' });
    const custom = new Error('cancelled by Temporal');
    const other = new AbortController();
    other.abort(custom);
    expect(abortReason(other.signal)).toBe(custom);
  });
});
