/**
 * The budget of one run: limits, what has been spent (`used`) and what is set
 * aside for work in flight (`reserved`). Spending goes reserve → commit: a
 * model call or a sub-agent reserves the most it may spend, then commits what
 * it actually spent, and the rest flows back. Since reservations never exceed
 * what remains, work running in parallel can never jointly overspend.
 *
 * Pure and serialisable (JSON, not structuredClone: it runs in the workflow
 * sandbox): the workflow keeps one, tests drive it directly.
 * Persisted in workflow history (as `LedgerState`): add fields only.
 */

export const budgetDimensions = ['tokens', 'usd', 'turns', 'toolCalls'] as const;
export type BudgetDimension = (typeof budgetDimensions)[number];

/** Tokens (input + output) are required; the others are optional. */
export interface BudgetLimits {
  tokens: number;
  usd?: number;
  turns?: number;
  toolCalls?: number;
}

export type Amount = Partial<Record<BudgetDimension, number>>;
type Totals = Record<BudgetDimension, number>;

export interface LedgerState {
  limits: BudgetLimits;
  used: Totals;
  reserved: Totals;
  reservations: Record<string, Amount>;
}

const zero = (): Totals => ({ tokens: 0, usd: 0, turns: 0, toolCalls: 0 });

export class BudgetLedger {
  private constructor(private readonly data: LedgerState) {}

  static create(limits: BudgetLimits): BudgetLedger {
    for (const dimension of budgetDimensions) {
      const value = limits[dimension];
      if (value !== undefined && !(typeof value === 'number' && value >= 0 && Number.isFinite(value))) {
        throw new RangeError(`Budget limit '${dimension}' must be a non-negative number, got ${JSON.stringify(value)}.`);
      }
    }
    return new BudgetLedger({ limits: { ...limits }, used: zero(), reserved: zero(), reservations: {} });
  }

  static restore(state: LedgerState): BudgetLedger {
    return new BudgetLedger(JSON.parse(JSON.stringify(state)) as LedgerState);
  }

  get state(): LedgerState {
    return JSON.parse(JSON.stringify(this.data)) as LedgerState;
  }

  /** Limits and totals, without the reservations: what a run's status shows, copied without a JSON round trip. */
  get totals(): Pick<LedgerState, 'limits' | 'used' | 'reserved'> {
    return { limits: { ...this.data.limits }, used: { ...this.data.used }, reserved: { ...this.data.reserved } };
  }

  get limits(): BudgetLimits {
    return { ...this.data.limits };
  }

  used(dimension: BudgetDimension): number {
    return this.data.used[dimension];
  }

  reserved(dimension: BudgetDimension): number {
    return this.data.reserved[dimension];
  }

  /** What is neither spent nor reserved; Infinity for a dimension without a limit. */
  remaining(dimension: BudgetDimension): number {
    const limit = this.data.limits[dimension];
    if (limit === undefined) return Infinity;
    return Math.max(0, limit - this.data.used[dimension] - this.data.reserved[dimension]);
  }

  /** The first limit `amount` would break, if any. */
  wouldExceed(amount: Amount): BudgetDimension | undefined {
    return budgetDimensions.find((dimension) => (amount[dimension] ?? 0) > this.remaining(dimension));
  }

  /** Sets `amount` aside under `id`, or says which limit does not allow it (and sets nothing aside). */
  reserve(id: string, amount: Amount): { ok: true } | { ok: false; limit: BudgetDimension } {
    if (this.data.reservations[id]) throw new Error(`Reservation '${id}' already exists.`);
    const limit = this.wouldExceed(amount);
    if (limit) return { ok: false, limit };
    this.data.reservations[id] = { ...amount };
    for (const dimension of budgetDimensions) this.data.reserved[dimension] += amount[dimension] ?? 0;
    return { ok: true };
  }

  /** Records what the reserved work actually spent and frees its reservation. */
  commit(id: string, actual: Amount): void {
    const reservation = this.data.reservations[id];
    if (!reservation) throw new Error(`No reservation '${id}' to commit.`);
    delete this.data.reservations[id];
    for (const dimension of budgetDimensions) {
      this.data.reserved[dimension] -= reservation[dimension] ?? 0;
      this.data.used[dimension] += actual[dimension] ?? 0;
    }
  }

  release(id: string): void {
    this.commit(id, {});
  }

  /** Spending that needs no reservation (a turn, a tool call): recorded as it happens. */
  charge(actual: Amount): void {
    for (const dimension of budgetDimensions) this.data.used[dimension] += actual[dimension] ?? 0;
  }

  /** A person added budget. */
  topUp(amount: Amount): void {
    for (const dimension of budgetDimensions) {
      const extra = amount[dimension];
      if (extra === undefined || extra === 0) continue;
      if (!(extra > 0)) throw new RangeError(`A top-up must be positive, got ${extra} ${dimension}.`);
      this.data.limits[dimension] = (this.data.limits[dimension] ?? this.data.used[dimension] + this.data.reserved[dimension]) + extra;
    }
  }

  /** The first limit with nothing left, if any. */
  exhausted(): BudgetDimension | undefined {
    return budgetDimensions.find((dimension) => this.remaining(dimension) <= 0);
  }
}
