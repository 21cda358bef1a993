import { CairnError, ToolError, type ToolErrorKind } from '@cairn/core';

// The tools' errors are kinds of core's ToolError, which the tool activity reads to decide on retries.
export { ToolError, type ToolErrorKind };

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
