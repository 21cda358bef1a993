import { NoSearchProviderError } from '../errors.ts';
import { braveFactory } from './brave.ts';
import { searxngFactory } from './searxng.ts';
import type { SearchProvider, SearchProviderFactory } from './search-provider.ts';
import { tavilyFactory } from './tavily.ts';

/** The providers `selectSearchProvider` knows, in the order it tries them. */
export const searchProviderFactories: readonly SearchProviderFactory[] = [tavilyFactory, braveFactory, searxngFactory];

/**
 * Picks the web search provider from the environment: `CAIRN_SEARCH_PROVIDER`
 * (`tavily`, `brave`, `searxng`) when set, otherwise the first provider whose
 * variable is set, in the order TAVILY_API_KEY, BRAVE_API_KEY, SEARXNG_URL.
 */
export function selectSearchProvider(
  env: Record<string, string | undefined> = process.env,
  factories: readonly SearchProviderFactory[] = searchProviderFactories,
): SearchProvider {
  const names = factories.map((factory) => factory.name).join(', ');
  const forced = env.CAIRN_SEARCH_PROVIDER?.trim().toLowerCase();
  if (forced) {
    const factory = factories.find((candidate) => candidate.name === forced);
    if (!factory) {
      throw new NoSearchProviderError(
        `CAIRN_SEARCH_PROVIDER is '${forced}', which is not a web search provider. Known providers: ${names}.`,
        'Set CAIRN_SEARCH_PROVIDER to one of them, or unset it to use the first one configured.',
      );
    }
    const provider = factory.fromEnv(env);
    if (!provider) {
      throw new NoSearchProviderError(
        `CAIRN_SEARCH_PROVIDER selects ${factory.name}, but ${factory.variable} is not set.`,
        `Set ${factory.variable} in the environment of the worker.`,
      );
    }
    return provider;
  }
  for (const factory of factories) {
    const provider = factory.fromEnv(env);
    if (provider) return provider;
  }
  const variables = factories.map((factory) => factory.variable);
  const list = variables.length > 1 ? `${variables.slice(0, -1).join(', ')} or ${variables[variables.length - 1]}` : variables[0];
  throw new NoSearchProviderError(
    `No web search provider is configured: set ${list} in the environment of the worker.`,
    'TAVILY_API_KEY and BRAVE_API_KEY are API keys of those services; SEARXNG_URL is the address of a SearXNG instance ' +
      'with the JSON format enabled. To research without the web, use a local corpus (--corpus <dir>).',
  );
}
