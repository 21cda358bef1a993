import type { Amount } from './budget-ledger.ts';

/** "200k" → 200000 tokens, "1.5M" → 1500000, "$2" → 2 USD. Undefined when it is neither. */
export function parseBudgetAmount(text: string): Amount | undefined {
  const trimmed = text.trim();
  const usd = /^\$\s*(\d+(?:\.\d+)?)$/.exec(trimmed);
  if (usd) return { usd: Number(usd[1]) };
  const tokens = /^(\d+(?:\.\d+)?)\s*([kKmM]?)(?:\s*tokens?)?$/.exec(trimmed);
  if (!tokens) return undefined;
  const scale = { '': 1, k: 1_000, m: 1_000_000 }[tokens[2]!.toLowerCase() as '' | 'k' | 'm'];
  const value = Math.round(Number(tokens[1]) * scale);
  return value > 0 ? { tokens: value } : undefined;
}
