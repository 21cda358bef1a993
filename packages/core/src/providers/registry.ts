/**
 * Model ids (`openai:gpt-4.1`, `anthropic:claude-sonnet-4-5`) → a provider
 * instance and the provider's model name. One instance per provider and
 * settings, reused: the SDK clients keep connections alive between calls.
 */
import { splitModelId, type ProviderName } from '../agent/define-agent.ts';
import { CairnError } from '../errors.ts';
import { AnthropicProvider, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL } from './anthropic.ts';
import { OpenAIProvider, OPENAI_API_KEY, OPENAI_BASE_URL } from './openai.ts';
import type { ModelProvider } from './provider.ts';

type Env = Record<string, string | undefined>;

interface ProviderFactory {
  /** The environment variables the provider reads; their values key the cache. */
  variables: readonly string[];
  create(env: Env): ModelProvider;
}

const factories: Record<ProviderName, ProviderFactory> = {
  openai: { variables: [OPENAI_API_KEY, OPENAI_BASE_URL], create: (env) => new OpenAIProvider({}, env) },
  anthropic: { variables: [ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL], create: (env) => new AnthropicProvider({}, env) },
};

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
