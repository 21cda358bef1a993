/**
 * What happens when a run's budget runs out, by the agent's policy: stop with
 * the best partial result, grant one last call to write the answer (wrap-up), or
 * ask a person for more. What the budget allows in the first place is
 * `RunBudget`'s to say; this decides only what follows when it allows nothing.
 */
import type { TranscriptAppend } from '../activity-contract.ts';
import type { BudgetDimension } from '../budget/budget-ledger.ts';
import type { HumanWaits } from './human-waits.ts';
import type { RunEvents } from './run-events.ts';
import { parseBudgetAmount } from '../budget/budget-amount.ts';
import type { RunBudget } from './run-budget.ts';

export type AfterExhaustion = { next: 'retry'; append?: TranscriptAppend[] } | { next: 'stop' };

const wrapUpInstruction = (limit: BudgetDimension) =>
  `Your ${limit === 'usd' ? 'cost' : limit === 'toolCalls' ? 'tool-call' : limit === 'turns' ? 'turn' : 'token'} budget is used up. Do not call tools. Write your final answer now from what you have, and say plainly what is missing or unverified.`;

export class BudgetExhaustion {
  /** Set once the wrap-up call has been granted: the next model call is the last. */
  wrapUpFor?: BudgetDimension;
  private questions = 0;
  private topUps = 0;

  constructor(
    private readonly runId: string,
    private readonly budget: RunBudget,
    private readonly waits: HumanWaits,
    private readonly events: RunEvents,
  ) {}

  /** A person added budget (by signal): a question about the budget is answered by it. */
  toppedUp(): void {
    this.topUps += 1;
    this.events.emit({ type: 'budget_topped_up', budget: this.budget.status });
  }

  async onExhausted(limit: BudgetDimension): Promise<AfterExhaustion> {
    const behaviour = this.budget.policy.onExhausted;
    this.events.emit({ type: 'budget_exhausted', limit, behaviour });
    switch (behaviour) {
      case 'stop':
        return { next: 'stop' };
      case 'wrapUp':
        if (this.wrapUpFor) return { next: 'stop' };
        this.wrapUpFor = limit;
        return { next: 'retry', append: [{ role: 'user', content: wrapUpInstruction(limit) }] };
      case 'ask':
        return this.ask(limit);
    }
  }

  private async ask(limit: BudgetDimension): Promise<AfterExhaustion> {
    this.questions += 1;
    const used = this.budget.status.used[limit];
    const question = `The ${limit} budget of this run is used up (${Math.round(used * 100) / 100} of ${this.budget.ledger.limits[limit]}). Add more with 'cairn budget add ${this.runId} <amount>' (for example 100k or $1), or answer 'stop' to end with what there is.`;
    const topUpsBefore = this.topUps;
    const resolution = await this.waits.wait(
      { kind: 'question', id: `budget-${this.questions}`, question, askedAt: Date.now() },
      undefined,
      () => ({ kind: 'answer', answer: 'stop', by: 'timeout' }),
      () => (this.topUps > topUpsBefore ? { kind: 'answer', answer: 'Budget added.', by: 'top-up' } : undefined),
    );
    if (resolution.kind === 'answer' && resolution.by !== 'top-up') {
      const amount = parseBudgetAmount(resolution.answer);
      if (!amount) return { next: 'stop' };
      this.budget.topUp(amount);
    }
    return { next: 'retry' };
  }
}
