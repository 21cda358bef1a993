import { describe, expect, it } from 'vitest';
import { InvalidPayloadError, parseAmount, parseAnswer, parseDecision } from './payloads.ts';

describe('signal and update payloads', () => {
  it('accepts what the client sends', () => {
    expect(parseAnswer({ questionId: 'call-1-1', answer: 'metric' })).toEqual({ questionId: 'call-1-1', answer: 'metric' });
    expect(parseDecision({ callId: 'call-2-1', approved: false, reason: 'no' })).toEqual({ callId: 'call-2-1', approved: false, reason: 'no' });
    expect(parseAmount({ tokens: 5000 })).toEqual({ tokens: 5000 });
    expect(parseAmount({ usd: 1.5 })).toEqual({ usd: 1.5 });
  });

  it.each([
    ['a negative top-up', () => parseAmount({ tokens: -1 }), /tokens: tokens must be more than 0/],
    ['a top-up given as a string', () => parseAmount({ tokens: '5' }), /tokens: tokens must be a number/],
    ['a fractional token count', () => parseAmount({ tokens: 1.5 }), /whole number/],
    ['an empty top-up', () => parseAmount({}), /name at least one of tokens, usd/],
    ['an unknown dimension', () => parseAmount({ dollars: 5 }), /Unrecognized key/],
    ['an infinite top-up', () => parseAmount({ usd: Infinity }), /usd/],
    ['no payload at all', () => parseAmount(null), /Invalid budget top-up/],
    ['approval given as a string', () => parseDecision({ callId: 'call-1-1', approved: 'no' }), /approved must be true or false/],
    ['a decision with no id', () => parseDecision({ approved: true }), /callId/],
    ['an empty answer', () => parseAnswer({ questionId: 'q', answer: '   ' }), /the answer is empty/],
    ['an answer that is not text', () => parseAnswer({ questionId: 'q', answer: 42 }), /answer/],
    ['a huge id', () => parseAnswer({ questionId: 'x'.repeat(500), answer: 'a' }), /longer than 200/],
    ['a huge answer', () => parseAnswer({ questionId: 'q', answer: 'a'.repeat(3_000_000) }), /the answer is longer than 100000 characters/],
    ['huge edited arguments', () => parseDecision({ callId: 'call-1-1', approved: true, arguments: { text: 'a'.repeat(3_000_000) } }), /arguments: the edited arguments are longer than 100000 characters as JSON/],
  ])('rejects %s with one line naming the problem', (_name, parse, message) => {
    let error: unknown;
    try {
      parse();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidPayloadError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
