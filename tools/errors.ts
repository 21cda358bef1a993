import { CairnError } from '@cairn/core';

/**
 * How a failed tool call should be treated, in the same terms as model errors:
 * - `transient`: trying again later may work (timeouts, resets, 5xx);
 * - `rate_limited`: try again, but not before `retryAfterMs`;
 * - `fatal`: retrying cannot help (bad URL, unsupported content, refused key).
 *
 * The tool activity hands a thrown tool error's message to the model, so each
 * message says what failed and what the model (or a person) can do instead.
 */
export type ToolErrorKind = 'transient' | 'rate_limited' | 'fatal';

export class ToolError extends CairnError {
  readonly kind: ToolErrorKind;
  /** A stable, machine-readable reason, e.g. `timeout` or `unsupported_content_type`. */
  readonly code: string;
  readonly retryAfterMs?: number;

  constructor(message: string, details: { kind: ToolErrorKind; code: string; retryAfterMs?: number; hint?: string; cause?: unknown }) {
    super(message, { hint: details.hint, cause: details.cause });
    this.name = 'ToolError';
    this.kind = details.kind;
    this.code = details.code;
    this.retryAfterMs = details.retryAfterMs;
  }
}

/** A web search API refused or failed a query. */
export class SearchProviderError extends ToolError {
  readonly provider: string;
  readonly status?: number;

  constructor(
    message: string,
    details: { provider: string; kind: ToolErrorKind; code: string; status?: number; retryAfterMs?: number; hint?: string; cause?: unknown },
  ) {
    super(message, details);
    this.name = 'SearchProviderError';
    this.provider = details.provider;
    this.status = details.status;
  }
}

/** No web search provider can be built from the environment. Raised at configuration time. */
export class NoSearchProviderError extends CairnError {
  constructor(message: string, hint: string) {
    super(message, { hint });
    this.name = 'NoSearchProviderError';
  }
}

export type PageFetchErrorCode =
  | 'invalid_url'
  | 'blocked_address'
  | 'timeout'
  | 'network'
  | 'http_status'
  | 'too_many_redirects'
  | 'unsupported_content_type'
  | 'no_content';

/** A page could not be fetched or turned into text. */
export class PageFetchError extends ToolError {
  readonly url: string;
  readonly status?: number;
  declare readonly code: PageFetchErrorCode;

  constructor(
    message: string,
    details: { url: string; kind: ToolErrorKind; code: PageFetchErrorCode; status?: number; retryAfterMs?: number; hint?: string; cause?: unknown },
  ) {
    super(message, details);
    this.name = 'PageFetchError';
    this.url = details.url;
    this.status = details.status;
  }
}

/** A corpus folder that cannot be loaded, or a document id that is not in it. */
export class CorpusError extends ToolError {
  constructor(message: string, details: { code: 'not_found' | 'empty' | 'duplicate_document' | 'unknown_document'; hint?: string; cause?: unknown }) {
    super(message, { kind: 'fatal', ...details });
    this.name = 'CorpusError';
  }
}
