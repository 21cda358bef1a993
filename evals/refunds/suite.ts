// `cairn eval evals/refunds/suite.ts`: refunds, with large ones approved or denied by a scripted person.
// The agent must call `refund` with the order's total, and say what came of it.
import { fileURLToPath } from 'node:url';
import { defineScorer, defineSuite, includes, loadJsonlCases, toolUse } from '@cairn/evals';
import { refundsAgent } from './agent.ts';

const cases = await loadJsonlCases(fileURLToPath(new URL('./cases.jsonl', import.meta.url)));

/** The refund call a case expects, with its order and amount. */
const refundsTheTotal = defineScorer('refund-call', async (input) => {
  const expected = input.case.metadata?.refund as { orderId: string; amount: number };
  return toolUse({ calls: [{ name: 'lookup_order' }, { name: 'refund', arguments: expected }], inOrder: true, atMost: 3 }).score(input);
});

export default defineSuite({
  name: 'refunds',
  agent: refundsAgent,
  cases,
  scorers: [refundsTheTotal, includes()],
  budget: { tokens: 60_000 },
  human: {
    decide: (approval, evalCase) => (evalCase.metadata?.approve === true ? { approved: true } : { approved: false, reason: 'over budget this month' }),
  },
});
