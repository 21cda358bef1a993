/**
 * A run's budget as the agent loop uses it: the ledger, the agent's policy,
 * the model's price, and usage summed by agent and by model. Pure, so it runs
 * in the workflow and in unit tests alike; its state survives continue-as-new.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { AgentSpec } from '../agent/spec.ts';
import { BudgetLedger, type Amount, type BudgetDimension, type BudgetLimits, type LedgerState } from '../budget/budget-ledger.ts';
import { childSlice, defaultBudgetPolicy, type BudgetPolicy } from '../budget/budget-policy.ts';
import type { CallAllowance } from '../budget/plan-model-call.ts';
import { costOf, type ModelPrice } from '../budget/prices.ts';
import { addToBreakdown, mergeBreakdowns, type UsageBreakdown } from '../budget/usage-breakdown.ts';
import type { TokenUsage } from '../messages.ts';
import type { AgentRunInput, RunOptions } from './run-types.ts';

export interface RunBudgetState {
  ledger: LedgerState;
  byAgent: UsageBreakdown;
  byModel: UsageBreakdown;
}

/** Persisted in status and results: add fields only. */
export interface BudgetStatus {
  limits: BudgetLimits;
  used: Record<BudgetDimension, number>;
  reserved: Record<BudgetDimension, number>;
}

/** What a finished sub-agent run reports back for its parent's books. */
export interface ChildSpend {
  usage: TokenUsage;
  costUsd: number;
  usageByAgent: UsageBreakdown;
  usageByModel: UsageBreakdown;
}

/**
 * The budget of a run of this agent: its policy's limits, or the run's own
 * (`options.budget`), or for a sub-agent the slice its parent gave it; carried
 * over from the last history after continue-as-new.
 */
export function budgetForRun(spec: AgentSpec, input: AgentRunInput, options: RunOptions): RunBudget {
  const policy = spec.budget ?? defaultBudgetPolicy();
  const limits = input.budget
    ? { ...policy.limits, tokens: Math.min(policy.limits.tokens, input.budget.tokens), usd: spec.price ? input.budget.usd : undefined }
    : { ...policy.limits, ...options.budget };
  const budget = new RunBudget(policy, limits, spec.price, input.resume?.budget);
  if (budget.unpricedUsdLimit) {
    throw ApplicationFailure.create({
      type: 'InvalidDefinition',
      nonRetryable: true,
      message: `A USD budget needs a price for ${spec.model}, and Cairn has none. Add it to defineConfig({ prices: { '${spec.model}': { inputPerMillion, outputPerMillion } } }), or budget in tokens.`,
    });
  }
  return budget;
}

export class RunBudget {
  readonly ledger: BudgetLedger;
  readonly byAgent: UsageBreakdown;
  readonly byModel: UsageBreakdown;

  constructor(
    readonly policy: BudgetPolicy,
    limits: BudgetLimits,
    private readonly price: ModelPrice | undefined,
    state?: RunBudgetState,
  ) {
    this.ledger = state ? BudgetLedger.restore(state.ledger) : BudgetLedger.create(limits);
    this.byAgent = state?.byAgent ?? {};
    this.byModel = state?.byModel ?? {};
  }

  get state(): RunBudgetState {
    return { ledger: this.ledger.state, byAgent: this.byAgent, byModel: this.byModel };
  }

  /** Read a few times a turn (events, current details): from the totals, not a copy of every reservation. */
  get status(): BudgetStatus {
    return this.ledger.totals;
  }

  get costUsd(): number {
    return this.ledger.used('usd');
  }

  /** What the next model call may spend; on a normal turn of a wrap-up agent, with the final call kept back. */
  allowance(finalCall: boolean): CallAllowance {
    const usd = this.ledger.remaining('usd');
    return {
      tokens: this.ledger.remaining('tokens'),
      ...(Number.isFinite(usd) ? { usd } : {}),
      ...(this.price ? { price: this.price } : {}),
      // A small budget (a sub-agent's slice) keeps at most a quarter back, or it would only ever wrap up.
      ...(this.policy.onExhausted === 'wrapUp' && !finalCall ? { keepForWrapUp: Math.min(this.policy.wrapUpReserveTokens, Math.floor(this.ledger.limits.tokens / 4)) } : {}),
    };
  }

  /** A USD limit needs a price to be enforced; the check happens once, at the start of the run. */
  get unpricedUsdLimit(): boolean {
    return this.ledger.limits.usd !== undefined && !this.price;
  }

  /** Books one model call; returns what it cost (0 without a price). */
  recordModelCall(agent: string, model: string, usage: TokenUsage, countsAsTurn: boolean): number {
    const costUsd = this.price ? costOf(usage, this.price) : 0;
    this.ledger.charge({ tokens: usage.inputTokens + usage.outputTokens, usd: costUsd, turns: countsAsTurn ? 1 : 0 });
    addToBreakdown(this.byAgent, agent, usage, costUsd);
    addToBreakdown(this.byModel, model, usage, costUsd);
    return costUsd;
  }

  /** One tool call, if the tool-call budget allows it. */
  takeToolCall(): boolean {
    if (this.ledger.remaining('toolCalls') < 1) return false;
    this.ledger.charge({ toolCalls: 1 });
    return true;
  }

  /** Carves a sub-agent's slice out of what remains, or says why it cannot start. */
  reserveChild(id: string, delegations: number): { ok: true; limits: Pick<BudgetLimits, 'tokens' | 'usd'> } | { ok: false; reason: string } {
    const slice = childSlice(this.policy.children, { tokens: this.ledger.remaining('tokens'), usd: this.ledger.remaining('usd') }, delegations);
    if ('refused' in slice) return { ok: false, reason: slice.refused };
    const amount: Amount = slice.usd === undefined ? { tokens: slice.tokens } : { tokens: slice.tokens, usd: slice.usd };
    const reserved = this.ledger.reserve(id, amount);
    if (!reserved.ok) return { ok: false, reason: `the ${reserved.limit} budget left is too small` };
    return { ok: true, limits: slice.usd === undefined ? { tokens: slice.tokens } : { tokens: slice.tokens, usd: slice.usd } };
  }

  /**
   * Reserves a slice of a chosen size, raised to `floorTokens` and capped by what
   * remains; refuses when not even the floor remains.
   */
  reserveSlice(id: string, tokens: number, floorTokens = this.policy.children.floorTokens): { ok: true; limits: Pick<BudgetLimits, 'tokens' | 'usd'> } | { ok: false; reason: string } {
    const granted = Math.min(Math.max(Math.floor(tokens), floorTokens), this.ledger.remaining('tokens'));
    if (granted < floorTokens) return { ok: false, reason: `only ${Math.floor(this.ledger.remaining('tokens'))} tokens are left, below the ${floorTokens} this step needs` };
    const reserved = this.ledger.reserve(id, { tokens: granted });
    if (!reserved.ok) return { ok: false, reason: `the ${reserved.limit} budget left is too small` };
    return { ok: true, limits: { tokens: granted } };
  }

  /**
   * Books what a sub-agent spent and frees the rest of its slice. A child that
   * failed reports nothing, so its whole slice counts as spent: never under-count.
   */
  settleChild(id: string, spend: ChildSpend | undefined): void {
    if (!spend) {
      const { reservations } = this.ledger.state;
      this.ledger.commit(id, reservations[id] ?? {});
      return;
    }
    this.ledger.commit(id, { tokens: spend.usage.inputTokens + spend.usage.outputTokens, usd: spend.costUsd });
    mergeBreakdowns(this.byAgent, spend.usageByAgent);
    mergeBreakdowns(this.byModel, spend.usageByModel);
  }

  topUp(amount: Amount): void {
    this.ledger.topUp(amount);
  }

  exhausted(): BudgetDimension | undefined {
    return this.ledger.exhausted();
  }
}
