import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countTokens } from './count-tokens.ts';
import { estimateInputTokens, inputTokenBound } from './estimate-tokens.ts';
import { anthropicProvider } from '../providers/anthropic.ts';
import { openaiProvider } from '../providers/openai.ts';

describe('token estimates', () => {
  it('counts with a real tokenizer', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
  });

  it('errs high on long runs without spaces, and on large texts estimated from samples', () => {
    expect(countTokens('x'.repeat(20_000))).toBeGreaterThan(20_000 / 32);
    const prose = 'The harbour was dredged to twelve metres in 1998, and again in 2011. '.repeat(2_000);
    const exact = prose.length / 4_096;
    expect(countTokens(prose)).toBeGreaterThanOrEqual(Math.floor(exact * countTokens(prose.slice(0, 4_096))));
    // Never above the UTF-8 bytes, which bound any byte-level tokenizer.
    expect(countTokens('€'.repeat(100_000))).toBeLessThanOrEqual(300_000);
  });

  it('adds framing and a provider margin on top of the text', async () => {
    const request = { instructions: 'Be brief.', messages: [{ role: 'user' as const, content: 'hello world' }], tools: [] };
    const openai = await estimateInputTokens({ ...request, margin: openaiProvider.tokenMargin });
    const anthropic = await estimateInputTokens({ ...request, margin: anthropicProvider.tokenMargin });
    expect(openai).toBeGreaterThan(countTokens('Be brief.') + countTokens('hello world'));
    expect(anthropic).toBeGreaterThan(openai);
  });

  it('bounds the estimate from above without tokenizing, whatever the text', async () => {
    const text = fc.oneof(fc.string({ maxLength: 1_500 }), fc.string({ unit: 'grapheme', maxLength: 1_500 }), fc.constantFrom('x'.repeat(9_000), '€'.repeat(5_000), 'a b '.repeat(3_000)));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 6 }), fc.constantFrom(openaiProvider.tokenMargin, anthropicProvider.tokenMargin, 2), async (texts, margin) => {
        const request = {
          instructions: texts[0]!,
          messages: texts.map((content, index) => (index % 2 === 0 ? { role: 'user' as const, content } : { role: 'tool' as const, toolCallId: `c${index}`, toolName: 'lookup', isError: false, content })),
          tools: [{ name: 'lookup', description: 'Looks a topic up.', parameters: { type: 'object' } }],
        };
        expect(inputTokenBound(request, margin)).toBeGreaterThanOrEqual(await estimateInputTokens({ margin, ...request }));
      }),
      { numRuns: 25 },
    );
  });
});
