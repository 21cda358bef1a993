// `cairn eval evals/orders/suite.ts`: the orders agent on five questions. It must look each order up
// (once: at most two tool calls) and name the order and its status.
import { fileURLToPath } from 'node:url';
import { defineSuite, includes, loadJsonlCases, toolUse, withinBudget } from '@cairn/evals';
import { ordersAgent } from './agent.ts';

export const orderCases = await loadJsonlCases(fileURLToPath(new URL('./cases.jsonl', import.meta.url)));

export const ordersSuite = defineSuite({
  name: 'orders',
  agent: ordersAgent,
  cases: orderCases,
  scorers: [includes(), toolUse({ calls: [{ name: 'lookup_order' }], atMost: 2 }), withinBudget({ tokens: 20_000 })],
  budget: { tokens: 200_000 },
});

export default ordersSuite;
