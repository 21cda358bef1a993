import { describe, expect, it } from 'vitest';
import { excerpt, excerptSeparator } from './excerpts.ts';

const paragraph = (topic: string, n: number) =>
  `${topic} paragraph ${n}. ` + `This paragraph talks about ${topic} in some detail, with filler words to give it length. `.repeat(4).trim();

/** A long article: many filler paragraphs and one about lighthouses in the middle. */
const article = [
  ...Array.from({ length: 12 }, (_, i) => paragraph('gardening', i)),
  'Lighthouses of the northern coast were automated in 1987, when the last keeper left the Fastnet rock.',
  ...Array.from({ length: 12 }, (_, i) => paragraph('cooking', i)),
].join('\n\n');

const pieces = (result: string) => result.split(excerptSeparator);

describe('excerpt', () => {
  it('returns a short text whole', () => {
    expect(excerpt('A short page.\n\nTwo paragraphs.', 'anything')).toBe('A short page.\n\nTwo paragraphs.');
  });

  it('picks the passage about the focus, verbatim', () => {
    const result = excerpt(article, 'when were lighthouses automated', { maxChars: 1000 });
    expect(result).toContain('Lighthouses of the northern coast were automated in 1987');
    expect(result.length).toBeLessThanOrEqual(1000);
    for (const piece of pieces(result)) expect(article).toContain(piece);
  });

  it('keeps document order and the limits, and joins distant passages with an ellipsis', () => {
    const result = excerpt(article, 'lighthouses cooking paragraph 11 gardening paragraph 0', { maxChars: 1500, passageChars: 400 });
    expect(result.length).toBeLessThanOrEqual(1500);
    const found = pieces(result);
    expect(found.length).toBeGreaterThan(1);
    const positions = found.map((piece) => article.indexOf(piece));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(result).toContain('Lighthouses of the northern coast');
  });

  it('returns the opening of the text when nothing matches', () => {
    const result = excerpt(article, 'zeppelin', { maxChars: 800 });
    expect(article.startsWith(result)).toBe(true);
    expect(result.length).toBeLessThanOrEqual(800);
  });

  it('keeps neighbouring passages together, with the text between them', () => {
    const text = ['Alpha lighthouse one.', 'Alpha lighthouse two.', 'x'.repeat(400), 'Closing words.'].join('\n\n');
    const result = excerpt(text, 'lighthouse', { maxChars: 200, passageChars: 50 });
    expect(result).toBe('Alpha lighthouse one.\n\nAlpha lighthouse two.');
  });

  it('refuses nonsense limits', () => {
    expect(() => excerpt(article, 'x', { maxChars: 0 })).toThrow(RangeError);
    expect(() => excerpt(article, 'x', { passageChars: 10 })).toThrow(RangeError);
  });
});
