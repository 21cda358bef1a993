/**
 * Model ids (`openai:gpt-4.1`, `anthropic:claude-sonnet-4-5`) → a provider
 * instance and the provider's model name. One instance per provider and
 * settings, reused: the SDK clients keep connections alive between calls.
 */
import { splitModelId, type ProviderName } from '../agent/define-agent.ts';
import { CairnError } from '../errors.ts';
import { AnthropicProvider, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, loadAnthropicSdk } from './anthropic.ts';
import { loadOpenAISdk, OpenAIProvider, OPENAI_API_KEY, OPENAI_BASE_URL } from './openai.ts';
import type { ModelProvider } from './provider.ts';

type Env = Record<string, string | undefined>;

interface ProviderFactory {
  /** The environment variables the provider reads; their values key the cache. */
  variables: readonly string[];
  create(env: Env): ModelProvider;
  /** Loads the provider's SDK, which its first call would otherwise wait for. */
  loadSdk(): Promise<unknown>;
}

const factories: Record<ProviderName, ProviderFactory> = {
  openai: { variables: [OPENAI_API_KEY, OPENAI_BASE_URL], create: (env) => new OpenAIProvider({}, env), loadSdk: loadOpenAISdk },
  anthropic: { variables: [ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL], create: (env) => new AnthropicProvider({}, env), loadSdk: loadAnthropicSdk },
};

/**
 * Loads the SDKs of the providers these models use (unknown ones are skipped: their
 * calls report them). A worker does this as it starts polling, so that its first
 * model call does not wait a few hundred milliseconds for a module.
 */
export async function preloadProviderSdks(modelIds: Iterable<string>): Promise<void> {
  const providers = new Set([...modelIds].map((modelId) => splitModelId(modelId)[0]));
  await Promise.all([...providers].filter((name) => Object.hasOwn(factories, name)).map((name) => factories[name as ProviderName].loadSdk()));
}

const cache = new Map<string, ModelProvider>();

export interface ResolvedModel {
  provider: ModelProvider;
  /** The provider's model name, without the `provider:` prefix. */
  model: string;
}

/**
 * Resolves `provider:model`. Throws a `CairnError` for an unknown provider or a
 * missing model name, and `MissingApiKeyError` when the provider has no key.
 */
export function resolveModel(modelId: string, env: Env = process.env): ResolvedModel {
  const [providerName, model] = splitModelId(modelId);
  const known = Object.keys(factories);
  const factory = Object.hasOwn(factories, providerName) ? factories[providerName as ProviderName] : undefined;
  if (!factory || !model) {
    throw new CairnError(
      factory
        ? `Model id '${modelId}' names no model: expected '${providerName}:<model>'.`
        : `Unknown model provider '${providerName}' in model id '${modelId}'. Known providers: ${known.join(', ')}.`,
      {
        hint: `Write the model as ${known.map((name) => `'${name}:<model>'`).join(' or ')}; for an OpenAI-compatible server use 'openai:<model>' and set ${OPENAI_BASE_URL}.`,
      },
    );
  }
  const key = JSON.stringify([providerName, ...factory.variables.map((variable) => env[variable] ?? null)]);
  let provider = cache.get(key);
  if (!provider) {
    provider = factory.create(env);
    cache.set(key, provider);
  }
  return { provider, model };
}
