/** Budget helpers light enough for a command line to load before it needs anything else. */
export { parseBudgetAmount } from './budget-amount.ts';
export type { Amount, BudgetDimension } from './budget-ledger.ts';
