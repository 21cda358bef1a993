/**
 * The fault suite, short, on the S3 store: runs survive workers killed at
 * random on two "hosts" sharing only Temporal and S3, a Temporal restart and a
 * misbehaving model server. `bench/faults.ts` runs the full suite on
 * PostgreSQL.
 */
import { describe, expect, it } from 'vitest';
import { describeReport, runFaultSuite } from './fault-suite.ts';

describe('the fault suite, short, on S3', () => {
  it('loses no answer and repeats no completed call while workers die and Temporal restarts', { timeout: 600_000 }, async () => {
    const report = await runFaultSuite({ store: 's3', runs: 5, killEveryMs: 6_000, seed: 11, deadlineMs: 480_000, log: (line) => console.log(line) });
    console.log(describeReport(report));
    expect(report.kills).toBeGreaterThanOrEqual(2);
    expect(report.serverRestarts).toBe(1);
    expect(Object.values(report.faults).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    // Every model call of every run (research children included) was checked, and each agent run paid once.
    expect(report.modelCallsChecked).toBeGreaterThanOrEqual(25);
    expect(report.completedCallsServedAgain).toBe(0);
    expect(report.payments).toBe(5);
    expect(report.repeatedAfterCompletion).toBe(0);
    expect(report.answersLost).toBe(0);
    expect(report.citations.total).toBeGreaterThanOrEqual(2);
    expect(report.citations.verified).toBe(report.citations.total);
  });
});
