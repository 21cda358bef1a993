/** For research reports: the citations the job checked against the sources it read. */
import { defineScorer, type Scorer } from '../scorer.ts';

/**
 * The share of the report's citations whose quotes were found in their sources (the
 * deep-research job checks them and returns `citations: { total, verified }`). A report
 * with no citations scores 0: an unsupported report is not a good one.
 */
export function citationsVerified(): Scorer {
  return defineScorer('citations', ({ result }) => {
    const citations = (result as { citations?: { total?: unknown; verified?: unknown } }).citations;
    const total = typeof citations?.total === 'number' ? citations.total : 0;
    const verified = typeof citations?.verified === 'number' ? citations.verified : 0;
    if (total === 0) return { score: 0, note: 'no citations' };
    return { score: verified / total, note: `${total - verified} of ${total} citations not found in their sources` };
  });
}
