/** Scorers on the answer's text: exactly the expected, containing it, or matching a pattern. */
import { defineScorer, type Scorer } from '../scorer.ts';

const expectedText = (expected: unknown, scorer: string): string => {
  if (typeof expected !== 'string') throw new TypeError(`The ${scorer} scorer needs each case's expected value to be text.`);
  return expected;
};
const normalise = (text: string) => text.trim().replace(/\s+/g, ' ').toLowerCase();

/** The answer is the case's `expected` text (ignoring case and spacing unless `strict`). */
export function exactMatch(options: { strict?: boolean } = {}): Scorer {
  return defineScorer('exact', ({ case: { expected }, result }) => {
    const want = expectedText(expected, 'exact');
    const equal = options.strict ? result.output === want : normalise(result.output) === normalise(want);
    return { score: equal ? 1 : 0, note: `expected "${want.slice(0, 80)}"` };
  });
}

/**
 * The answer contains each of the case's expected texts (one, or a list: key facts),
 * ignoring case. The score is the share found; it passes when all are (or `atLeast`).
 */
export function includes(options: { atLeast?: number } = {}): Scorer {
  return defineScorer(
    'includes',
    ({ case: { expected }, result }) => {
      const wanted = (Array.isArray(expected) ? expected : [expected]).map((item) => expectedText(item, 'includes'));
      const answer = normalise(result.output);
      const missing = wanted.filter((item) => !answer.includes(normalise(item)));
      return { score: (wanted.length - missing.length) / wanted.length, note: `missing ${missing.map((item) => `"${item}"`).join(', ')}` };
    },
    { threshold: options.atLeast ?? 1 },
  );
}

/** The answer matches the pattern. */
export function matches(pattern: RegExp): Scorer {
  return defineScorer('regex', ({ result }) => ({ score: pattern.test(result.output) ? 1 : 0, note: `does not match ${pattern}` }));
}
