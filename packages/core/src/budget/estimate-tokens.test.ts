import { describe, expect, it } from 'vitest';
import { countTokens, estimateInputTokens } from './estimate-tokens.ts';

describe('token estimates', () => {
  it('counts with a real tokenizer', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
  });

  it('stays fast and errs high on long runs without spaces', () => {
    const start = Date.now();
    const blob = 'x'.repeat(20_000);
    const tokens = countTokens(blob);
    expect(Date.now() - start).toBeLessThan(2_000);
    expect(tokens).toBeGreaterThan(20_000 / 16);
  });

  it('adds framing and a provider margin on top of the text', () => {
    const request = { instructions: 'Be brief.', messages: [{ role: 'user' as const, content: 'hello world' }], tools: [] };
    const openai = estimateInputTokens({ ...request, provider: 'openai' });
    const anthropic = estimateInputTokens({ ...request, provider: 'anthropic' });
    expect(openai).toBeGreaterThan(countTokens('Be brief.') + countTokens('hello world'));
    expect(anthropic).toBeGreaterThan(openai);
  });
});
