import { isCairnError } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { NoSearchProviderError } from '../errors.ts';
import { selectSearchProvider } from './select-provider.ts';

describe('selectSearchProvider', () => {
  it('picks the first provider whose variable is set', () => {
    expect(selectSearchProvider({ TAVILY_API_KEY: 't', BRAVE_API_KEY: 'b' }).name).toBe('tavily');
    expect(selectSearchProvider({ BRAVE_API_KEY: 'b', SEARXNG_URL: 'http://localhost:8080' }).name).toBe('brave');
    expect(selectSearchProvider({ SEARXNG_URL: 'http://localhost:8080' }).name).toBe('searxng');
  });

  it('ignores empty values', () => {
    expect(selectSearchProvider({ TAVILY_API_KEY: '  ', BRAVE_API_KEY: 'b' }).name).toBe('brave');
  });

  it('honours CAIRN_SEARCH_PROVIDER', () => {
    expect(selectSearchProvider({ CAIRN_SEARCH_PROVIDER: 'Brave', TAVILY_API_KEY: 't', BRAVE_API_KEY: 'b' }).name).toBe('brave');
    expect(() => selectSearchProvider({ CAIRN_SEARCH_PROVIDER: 'brave', TAVILY_API_KEY: 't' })).toThrow(
      'CAIRN_SEARCH_PROVIDER selects brave, but BRAVE_API_KEY is not set.',
    );
    expect(() => selectSearchProvider({ CAIRN_SEARCH_PROVIDER: 'bing' })).toThrow(
      "CAIRN_SEARCH_PROVIDER is 'bing', which is not a web search provider. Known providers: tavily, brave, searxng.",
    );
  });

  it('names the variables to set when none is configured', () => {
    let error: unknown;
    try {
      selectSearchProvider({});
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NoSearchProviderError);
    expect(isCairnError(error)).toBe(true);
    expect((error as NoSearchProviderError).name).toBe('NoSearchProviderError');
    expect((error as Error).message).toBe(
      'No web search provider is configured: set TAVILY_API_KEY, BRAVE_API_KEY or SEARXNG_URL in the environment of the worker.',
    );
    expect((error as NoSearchProviderError).hint).toContain('--corpus');
  });
});
