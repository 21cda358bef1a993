/**
 * The providers a worker (or a CLI command) knows: Cairn's own and a config's. Model ids
 * (`openai:gpt-4.1`, `anthropic:claude-sonnet-4-5`, `ollama:llama3.1`) → a client and the
 * provider's model name; and what the rest of Cairn asks of a provider: its key variable,
 * prices and token margin. One client per provider and settings, reused: the SDK clients
 * keep connections alive between calls.
 */
import { splitModelId } from '../agent/define-agent.ts';
import type { PriceTable } from '../budget/prices.ts';
import { CairnError, InvalidDefinitionError, MissingApiKeyError } from '../errors.ts';
import { anthropicProvider } from './anthropic.ts';
import type { ProviderDefinition, ProviderEnv } from './define-provider.ts';
import { openaiProvider } from './openai.ts';
import type { ModelProvider } from './provider.ts';

export const builtInProviders: readonly ProviderDefinition[] = [openaiProvider, anthropicProvider];

export interface ResolvedModel {
  provider: ModelProvider;
  /** The provider's model name, without the `provider:` prefix. */
  model: string;
  /** Its definition: token margin, estimator. */
  definition: ProviderDefinition;
}

export class ProviderRegistry {
  private readonly byId = new Map<string, ProviderDefinition>();
  private readonly clients = new Map<string, ModelProvider>();

  /** Cairn's providers and `providers` (a config's); an id may be defined once. */
  constructor(providers: readonly ProviderDefinition[] = []) {
    for (const provider of [...builtInProviders, ...providers]) {
      if (provider?.kind !== 'provider') throw new InvalidDefinitionError('A config lists a provider that is not one: make each with defineProvider() or openaiCompatible().');
      if (this.byId.has(provider.id)) {
        throw new InvalidDefinitionError(`Two providers have the id '${provider.id}'${builtInProviders.some((builtIn) => builtIn.id === provider.id) ? ' (one is built in)' : ''}: give yours another id.`);
      }
      this.byId.set(provider.id, provider);
    }
  }

  get ids(): string[] {
    return [...this.byId.keys()];
  }

  /** The provider of a model id; throws, naming what is known, when none is. */
  definitionOf(modelId: string): ProviderDefinition {
    const [id, model] = splitModelId(modelId);
    const definition = this.byId.get(id);
    if (!definition || !model) {
      throw new CairnError(
        definition ? `Model id '${modelId}' names no model: expected '${id}:<model>'.` : `Unknown model provider '${id}' in model id '${modelId}'. Known providers: ${this.ids.join(', ')}.`,
        { hint: definition ? undefined : `Write the model as '<provider>:<model>' with one of them, or add yours: defineConfig({ providers: [defineProvider({ id: '${id}', ... })] }).` },
      );
    }
    return definition;
  }

  /** Throws an `InvalidDefinitionError` unless the model id names a known provider and a model. */
  checkModelId(modelId: string, what: string): void {
    try {
      this.definitionOf(modelId);
    } catch (error) {
      throw new InvalidDefinitionError(`${what}: ${(error as Error).message}`, (error as CairnError).hint);
    }
  }

  /** `MissingApiKeyError` when the model's provider needs a key this environment lacks. */
  checkApiKey(modelId: string, env: ProviderEnv = process.env): void {
    const definition = this.definitionOf(modelId);
    if (!definition.apiKeyVariable || env[definition.apiKeyVariable] || definition.keyOptional?.(env)) return;
    throw new MissingApiKeyError(definition.label, definition.apiKeyVariable);
  }

  /**
   * A client for the model. Throws a `CairnError` for an unknown provider or a missing
   * model name, and `MissingApiKeyError` when the provider has no key.
   */
  resolve(modelId: string, env: ProviderEnv = process.env): ResolvedModel {
    const definition = this.definitionOf(modelId);
    const key = JSON.stringify([definition.id, ...[definition.apiKeyVariable, ...(definition.variables ?? [])].map((variable) => (variable ? (env[variable] ?? null) : null))]);
    let provider = this.clients.get(key);
    if (!provider) {
      provider = definition.create(env);
      this.clients.set(key, provider);
    }
    return { provider, model: splitModelId(modelId)[1], definition };
  }

  /** The model's context window in tokens, from its provider's table (longest matching name first), if known. */
  contextWindow(modelId: string): number | undefined {
    const [id, model] = splitModelId(modelId);
    const windows = Object.entries(this.byId.get(id)?.contextWindows ?? {}).filter(([name]) => model.startsWith(name));
    return windows.sort(([a], [b]) => b.length - a.length)[0]?.[1];
  }

  /** Every provider's prices, as `provider:model` → price. */
  prices(): PriceTable {
    return Object.fromEntries([...this.byId.values()].flatMap((definition) => Object.entries(definition.prices ?? {}).map(([model, price]) => [`${definition.id}:${model}`, price])));
  }

  /**
   * Loads the SDKs of the providers these models use (unknown ones are skipped: their
   * calls report them). A worker does this as it starts polling, so that its first
   * model call does not wait a few hundred milliseconds for a module.
   */
  async preloadSdks(modelIds: Iterable<string>): Promise<void> {
    const used = new Set([...modelIds].map((modelId) => this.byId.get(splitModelId(modelId)[0])).filter((definition) => definition !== undefined));
    await Promise.all([...used].map((definition) => definition.loadSdk?.()));
  }
}

/** Cairn's own providers, for code without a config (the CLI's checks, tests). */
const builtIn = new ProviderRegistry();

/** Resolves `provider:model` with Cairn's own providers. */
export function resolveModel(modelId: string, env: ProviderEnv = process.env): ResolvedModel {
  return builtIn.resolve(modelId, env);
}
