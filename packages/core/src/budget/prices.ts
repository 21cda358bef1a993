/**
 * What models cost, in USD per million tokens, and the cost of a call from the
 * usage the provider reported. Prices change: override them in
 * `defineConfig({ prices })`; a model without a price cannot be given a USD budget.
 */
import type { TokenUsage } from '../messages.ts';

export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Input tokens served from the prompt cache. Default: the input price. */
  cachedInputPerMillion?: number;
  /** Input tokens written to the prompt cache (Anthropic: 1.25× input for its 5-minute cache). Default: the input price. */
  cacheWriteInputPerMillion?: number;
}

export type PriceTable = Record<string, ModelPrice>;

/** List prices at the time of writing, per `provider:model`. */
export const defaultPrices: PriceTable = {
  'openai:gpt-4.1': { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 },
  'openai:gpt-4.1-mini': { inputPerMillion: 0.4, outputPerMillion: 1.6, cachedInputPerMillion: 0.1 },
  'openai:gpt-4.1-nano': { inputPerMillion: 0.1, outputPerMillion: 0.4, cachedInputPerMillion: 0.025 },
  'openai:gpt-4o': { inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25 },
  'openai:gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 },
  'openai:o4-mini': { inputPerMillion: 1.1, outputPerMillion: 4.4, cachedInputPerMillion: 0.275 },
  'anthropic:claude-sonnet-4-5': { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWriteInputPerMillion: 3.75 },
  'anthropic:claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5, cacheWriteInputPerMillion: 18.75 },
  'anthropic:claude-haiku-4-5': { inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1, cacheWriteInputPerMillion: 1.25 },
};

/** USD for one call: fresh input, input read from and written to the prompt cache, and output, each at its own price. */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteInputTokens ?? 0, usage.inputTokens - cached);
  const fresh = usage.inputTokens - cached - written;
  return (
    (fresh * price.inputPerMillion +
      cached * (price.cachedInputPerMillion ?? price.inputPerMillion) +
      written * (price.cacheWriteInputPerMillion ?? price.inputPerMillion) +
      usage.outputTokens * price.outputPerMillion) /
    1_000_000
  );
}

/** The most a call could cost: all input at its dearest (written to the cache, where that costs more), every allowed output token used. */
export function worstCaseCost(inputTokens: number, maxOutputTokens: number, price: ModelPrice): number {
  return (inputTokens * dearestInputPrice(price) + maxOutputTokens * price.outputPerMillion) / 1_000_000;
}

/** USD per million input tokens at the dearest a provider charges them. */
export function dearestInputPrice(price: ModelPrice): number {
  return Math.max(price.inputPerMillion, price.cacheWriteInputPerMillion ?? 0);
}

/** The list prices above of one provider's models, by model name: what its definition offers the registry. */
export function listPricesOf(provider: string): Record<string, ModelPrice> {
  const prefix = `${provider}:`;
  return Object.fromEntries(Object.entries(defaultPrices).flatMap(([model, price]) => (model.startsWith(prefix) ? [[model.slice(prefix.length), price]] : [])));
}
