import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitPassages } from './passages.ts';

const slices = (text: string, target?: number) => splitPassages(text, target).map(({ start, end }) => text.slice(start, end));

describe('splitPassages', () => {
  it('keeps a short document as one passage, without surrounding blank lines', () => {
    expect(slices('\n\nOne paragraph.\n\nTwo paragraphs.\n\n')).toEqual(['One paragraph.\n\nTwo paragraphs.']);
    expect(slices('')).toEqual([]);
    expect(slices(' \n \n ')).toEqual([]);
  });

  it('packs whole paragraphs up to the target size', () => {
    const paragraph = (n: number) => `Paragraph ${n} ${'word '.repeat(20).trim()}.`; // ~115 chars
    const text = Array.from({ length: 10 }, (_, i) => paragraph(i)).join('\n\n');
    const passages = slices(text, 300);
    expect(passages.length).toBeGreaterThan(3);
    for (const passage of passages) {
      expect(passage.length).toBeLessThanOrEqual(300);
      expect(passage.startsWith('Paragraph')).toBe(true);
      expect(passage.endsWith('word.')).toBe(true);
    }
  });

  it('cuts a long paragraph at sentence ends', () => {
    const text = Array.from({ length: 30 }, (_, i) => `Sentence number ${i} says something.`).join(' ');
    const passages = slices(text, 200);
    for (const passage of passages) {
      expect(passage.length).toBeLessThanOrEqual(200);
      expect(passage).toMatch(/^Sentence number \d+ says something\.( Sentence number \d+ says something\.)*$/);
    }
  });

  it('cuts a paragraph without any break where it must', () => {
    expect(slices('x'.repeat(250), 100)).toEqual(['x'.repeat(100), 'x'.repeat(100), 'x'.repeat(50)]);
  });

  it('starts a new passage at a Markdown heading once the current one has substance', () => {
    const text = `# A\n\n${'alpha '.repeat(20).trim()}\n\n## B\n\nshort`;
    expect(slices(text, 200)).toEqual([`# A\n\n${'alpha '.repeat(20).trim()}`, '## B\n\nshort']);
  });

  it('returns ordered, disjoint spans that cover every non-blank character (property)', () => {
    const textArbitrary = fc
      .array(fc.oneof(fc.constantFrom('\n', '\n\n', ' ', '. ', '# '), fc.string({ maxLength: 40 })), { maxLength: 80 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(textArbitrary, fc.integer({ min: 50, max: 400 }), (text, target) => {
        const spans = splitPassages(text, target);
        let covered = '';
        let previousEnd = 0;
        for (const { start, end } of spans) {
          expect(start).toBeGreaterThanOrEqual(previousEnd);
          expect(end).toBeGreaterThan(start);
          expect(end - start).toBeLessThanOrEqual(target);
          expect(text.slice(previousEnd, start).trim()).toBe('');
          covered += text.slice(start, end);
          previousEnd = end;
        }
        expect(text.slice(previousEnd).trim()).toBe('');
        expect(covered.replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
      }),
      { numRuns: 300 },
    );
  });
});
