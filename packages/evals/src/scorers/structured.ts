/** Structured output checked against a zod schema, and compared with what the case expects. */
import { z } from 'zod';
import { defineScorer, type Scorer } from '../scorer.ts';

/** The run's value (or its answer parsed as JSON) matches the schema; with `expected`, its fields equal the case's. */
export function matchesSchema(schema: z.ZodType, options: { compareExpected?: boolean } = {}): Scorer {
  return defineScorer('schema', ({ case: { expected }, result }) => {
    let value = result.value;
    if (value === undefined) {
      try {
        value = JSON.parse(result.output);
      } catch {
        return { score: 0, note: 'the answer is not JSON' };
      }
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) return { score: 0, note: z.prettifyError(parsed.error).replace(/\n/g, ' ') };
    if (!options.compareExpected || expected === undefined) return 1;
    const want = expected as Record<string, unknown>;
    const got = parsed.data as Record<string, unknown>;
    const wrong = Object.keys(want).filter((key) => JSON.stringify(got?.[key]) !== JSON.stringify(want[key]));
    return { score: 1 - wrong.length / Math.max(1, Object.keys(want).length), note: `wrong ${wrong.join(', ')}` };
  });
}
