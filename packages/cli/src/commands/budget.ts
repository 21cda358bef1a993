import { CairnError } from '@cairn/core';
import { parseBudgetAmount } from '@cairn/core/budget';
import { openSession } from '../session.ts';
import { green } from '../print.ts';

/** `cairn budget add <runId> <amount>`: 200k (tokens) or $2 (USD). */
export async function budgetAddCommand(runId: string, amountText: string): Promise<number> {
  const amount = parseBudgetAmount(amountText);
  if (!amount) throw new CairnError(`Not a budget amount: '${amountText}'.`, { hint: 'Use tokens such as 50000, 200k or 1.5M, or dollars such as $2.' });
  const session = await openSession();
  try {
    await session.client.addBudget(runId, amount);
    console.log(`${green('✓')} Added ${amount.tokens !== undefined ? `${amount.tokens} tokens` : `$${amount.usd}`} to ${runId}.`);
    return 0;
  } finally {
    await session.close();
  }
}
