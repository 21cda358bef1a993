/**
 * Any server that speaks OpenAI's Chat Completions (vLLM, Ollama, LM Studio, a
 * gateway) as a provider of its own, beside OpenAI itself: its own model id prefix,
 * base URL and key variable.
 */
import type { ModelPrice } from '../budget/prices.ts';
import { CairnError, MissingApiKeyError } from '../errors.ts';
import { defineProvider, type ProviderDefinition } from './define-provider.ts';
import { loadOpenAISdk, OpenAIProvider, type MaxTokensField } from './openai.ts';
import type { OpenAIApi } from './openai-responses.ts';

export interface OpenAICompatibleOptions {
  /** The model id prefix, such as `ollama` for `ollama:llama3.1`. */
  id: string;
  label?: string;
  /** The server's base URL (ending in `/v1` for most), or else read from `baseUrlVariable`. */
  baseURL?: string;
  /** The variable that holds the base URL. Default: `<ID>_BASE_URL`. */
  baseUrlVariable?: string;
  /** The variable that holds its API key. Default: `<ID>_API_KEY`. */
  apiKeyVariable?: string;
  /** The server checks no key (a local server): one is sent only when set. Default false. */
  keyOptional?: boolean;
  maxTokensField?: MaxTokensField;
  /** Chat Completions (default) or the Responses API, for servers that serve it. */
  api?: OpenAIApi;
  /** USD per million tokens, by model name. */
  prices?: Record<string, ModelPrice>;
  /** See `defineProvider`. Default 1.25: other models' tokenizers often count more than o200k. */
  tokenMargin?: number;
}

/** Not checked by servers that take no key, and required by the SDK. */
const placeholderApiKey = 'not-needed';

export function openaiCompatible(options: OpenAICompatibleOptions): ProviderDefinition {
  const prefix = String(options.id).toUpperCase().replace(/-/g, '_');
  const baseUrlVariable = options.baseUrlVariable ?? `${prefix}_BASE_URL`;
  const apiKeyVariable = options.apiKeyVariable ?? `${prefix}_API_KEY`;
  const label = options.label ?? options.id;
  return defineProvider({
    id: options.id,
    label,
    apiKeyVariable,
    variables: [baseUrlVariable],
    keyOptional: () => options.keyOptional === true,
    create(env) {
      const baseURL = options.baseURL ?? (env[baseUrlVariable] || undefined);
      if (!baseURL) throw new CairnError(`The ${label} provider has no server address.`, { hint: `Set ${baseUrlVariable} (such as http://localhost:11434/v1), or give baseURL to openaiCompatible().` });
      const apiKey = env[apiKeyVariable] || undefined;
      if (!apiKey && options.keyOptional !== true) throw new MissingApiKeyError(label, apiKeyVariable);
      return new OpenAIProvider(
        { baseURL, apiKey: apiKey ?? placeholderApiKey, api: options.api ?? 'chat', ...(options.maxTokensField ? { maxTokensField: options.maxTokensField } : {}) },
        {},
      );
    },
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.tokenMargin ? { tokenMargin: options.tokenMargin } : {}),
    loadSdk: loadOpenAISdk,
  });
}
