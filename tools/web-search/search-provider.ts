/** One hit of a web search, the same shape whichever API produced it. */
export interface SearchResult {
  title: string;
  url: string;
  /** A short plain-text excerpt (no HTML), at most a few hundred characters. */
  snippet: string;
  /** ISO 8601, when the API reports when the page was published. */
  publishedAt?: string;
}

export interface SearchOptions {
  /** At most this many results come back (providers may return fewer). */
  maxResults: number;
  /** Aborts the request: the run was cancelled or the activity timed out. */
  signal?: AbortSignal;
}

/** A web search API. A provider is a file; each one implements this. */
export interface SearchProvider {
  readonly name: string;
  search(query: string, options: SearchOptions): Promise<SearchResult[]>;
}

/** What every HTTP provider accepts; tests point `baseUrl` at a local server. */
export interface HttpProviderOptions {
  apiKey: string;
  /** Replaces the API's origin (a path prefix is kept). */
  baseUrl?: string;
  /** Per request. Default 20 s. */
  timeoutMs?: number;
}

/**
 * How a provider is built from the environment, so that `selectSearchProvider`
 * can pick one and name the variables to set when none is configured.
 */
export interface SearchProviderFactory {
  readonly name: string;
  /** The variable whose presence selects this provider, e.g. `BRAVE_API_KEY`. */
  readonly variable: string;
  fromEnv(env: Record<string, string | undefined>): SearchProvider | undefined;
}
