/**
 * A model provider as a definition: the prefix of its model ids, how to make a
 * client from the environment, the key variable the CLI checks before a run, its
 * prices and how its tokens are estimated. Cairn's own providers are defined this
 * way (`openai.ts`, `anthropic.ts`, `openai-compatible.ts`); users add theirs with
 * `defineConfig({ providers: [defineProvider({...})] })`.
 */
import type { ModelPrice } from '../budget/prices.ts';
import { InvalidDefinitionError } from '../errors.ts';
import type { Message } from '../messages.ts';
import type { ModelProvider, ToolDescriptor } from './provider.ts';

export type ProviderEnv = Record<string, string | undefined>;

export interface ProviderOptions {
  /** The prefix of its model ids: `<id>:<model>`. Lower-case letters, digits and '-'. */
  id: string;
  /** How people know it, in messages ("OpenAI"). Default: the id. */
  label?: string;
  /** The variable that holds its API key: `cairn run` checks it before a run starts. */
  apiKeyVariable?: string;
  /** Other variables it reads (a base URL): a client is made anew when any of them changes. */
  variables?: readonly string[];
  /** When the key may be left out (a local server that checks none). Default: never, if there is a key variable. */
  keyOptional?: (env: ProviderEnv) => boolean;
  /** A client for this environment; made once per provider and settings, and reused. */
  create(env: ProviderEnv): ModelProvider;
  /**
   * Context windows in tokens, by model name or the start of one (`claude-` covers every
   * Claude model; the longest match wins). A config's `contextWindows` win.
   */
  contextWindows?: Record<string, number>;
  /** USD per million tokens, by model name (without the `<id>:` prefix). A config's `prices` win. */
  prices?: Record<string, ModelPrice>;
  /**
   * How much more its tokenizer counts than o200k's, for budget checks, erring high.
   * Default 1.25.
   */
  tokenMargin?: number;
  /** Input tokens of a request, when o200k with a margin is far from this provider's count. */
  estimateInputTokens?: (request: { instructions: string; messages: readonly Message[]; tools: readonly ToolDescriptor[] }) => number | Promise<number>;
  /** Loads its SDK ahead of the first call (a worker does it as it starts polling). */
  loadSdk?: () => Promise<unknown>;
}

export interface ProviderDefinition extends Readonly<ProviderOptions> {
  readonly kind: 'provider';
  readonly label: string;
  readonly tokenMargin: number;
}

const providerIdPattern = /^[a-z][a-z0-9-]{0,31}$/;

/** Defines a model provider; checked here, so a bad one fails when the config loads. */
export function defineProvider(options: ProviderOptions): ProviderDefinition {
  if (typeof options?.id !== 'string' || !providerIdPattern.test(options.id)) {
    throw new InvalidDefinitionError(`Invalid provider id ${JSON.stringify(options?.id)}: use up to 32 lower-case letters, digits or '-', starting with a letter.`);
  }
  if (typeof options.create !== 'function') throw new InvalidDefinitionError(`Provider '${options.id}' has no create(env) function that makes its client.`);
  const tokenMargin = options.tokenMargin ?? 1.25;
  if (!(tokenMargin >= 1 && Number.isFinite(tokenMargin))) throw new InvalidDefinitionError(`Provider '${options.id}': tokenMargin must be a number of at least 1, got ${JSON.stringify(options.tokenMargin)}.`);
  if (options.apiKeyVariable !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.apiKeyVariable)) {
    throw new InvalidDefinitionError(`Provider '${options.id}': apiKeyVariable ${JSON.stringify(options.apiKeyVariable)} is not an environment variable name.`);
  }
  return { ...options, kind: 'provider', label: options.label ?? options.id, tokenMargin };
}
