import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BudgetLedger } from './budget-ledger.ts';

describe('BudgetLedger', () => {
  it('reserves, commits the actual spend and frees the rest', () => {
    const ledger = BudgetLedger.create({ tokens: 1000 });
    expect(ledger.reserve('call-1', { tokens: 600 })).toEqual({ ok: true });
    expect(ledger.remaining('tokens')).toBe(400);
    ledger.commit('call-1', { tokens: 250 });
    expect({ used: ledger.used('tokens'), reserved: ledger.reserved('tokens'), remaining: ledger.remaining('tokens') }).toEqual({ used: 250, reserved: 0, remaining: 750 });
  });

  it('refuses a reservation that does not fit, naming the limit, and sets nothing aside', () => {
    const ledger = BudgetLedger.create({ tokens: 1000, usd: 0.5 });
    ledger.reserve('child-1', { tokens: 700, usd: 0.1 });
    expect(ledger.reserve('child-2', { tokens: 400 })).toEqual({ ok: false, limit: 'tokens' });
    expect(ledger.reserve('child-3', { tokens: 100, usd: 0.45 })).toEqual({ ok: false, limit: 'usd' });
    expect(ledger.reserved('tokens')).toBe(700);
  });

  it('treats missing limits as unlimited and reports the first exhausted one', () => {
    const ledger = BudgetLedger.create({ tokens: 10, turns: 2 });
    expect(ledger.remaining('usd')).toBe(Infinity);
    ledger.charge({ turns: 2, tokens: 3 });
    expect(ledger.exhausted()).toBe('turns');
  });

  it('takes top-ups, and survives a round trip through its state', () => {
    const ledger = BudgetLedger.create({ tokens: 100 });
    ledger.charge({ tokens: 100 });
    expect(ledger.exhausted()).toBe('tokens');
    ledger.topUp({ tokens: 50, usd: 1 });
    const restored = BudgetLedger.restore(ledger.state);
    expect(restored.remaining('tokens')).toBe(50);
    expect(restored.remaining('usd')).toBe(1);
    expect(() => restored.topUp({ tokens: -5 })).toThrow('must be positive');
  });

  it('never lets reservations and spending within reservations exceed the limit (property)', () => {
    type Step = { kind: 'reserve'; amount: number } | { kind: 'commit'; index: number; fraction: number } | { kind: 'release'; index: number };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('reserve' as const), amount: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ kind: fc.constant('commit' as const), index: fc.nat(), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('release' as const), index: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), fc.array(step as fc.Arbitrary<Step>, { maxLength: 60 }), (limit, steps) => {
        const ledger = BudgetLedger.create({ tokens: limit });
        const open: { id: string; amount: number }[] = [];
        let next = 0;
        for (const current of steps) {
          if (current.kind === 'reserve') {
            const id = `r${next++}`;
            if (ledger.reserve(id, { tokens: current.amount }).ok) open.push({ id, amount: current.amount });
          } else if (open.length > 0) {
            const [taken] = open.splice(current.index % open.length, 1);
            if (current.kind === 'commit') ledger.commit(taken!.id, { tokens: Math.floor(taken!.amount * current.fraction) });
            else ledger.release(taken!.id);
          }
          expect(ledger.used('tokens') + ledger.reserved('tokens')).toBeLessThanOrEqual(limit);
          expect(ledger.reserved('tokens')).toBe(open.reduce((sum, reservation) => sum + reservation.amount, 0));
        }
      }),
    );
  });
});
