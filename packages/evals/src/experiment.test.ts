import { describe, expect, it } from 'vitest';
import { compareSettings, experimentTable, signTest } from './experiment.ts';
import type { CaseReport, SuiteReport } from './report.ts';

function report(suite: string, passes: boolean[]): SuiteReport {
  const cases: CaseReport[] = passes.map((pass, index) => ({ caseId: `c${index + 1}`, runId: `r${index}`, reused: false, status: 'completed', output: '', scores: [], score: pass ? 1 : 0.5, pass, tokens: 10, costUsd: 0, durationMs: 1 }));
  const passed = passes.filter(Boolean).length;
  return { suite, suiteId: suite, startedAt: '', cases, summary: { cases: cases.length, passed, passRate: passed / cases.length, meanScore: cases.reduce((sum, item) => sum + item.score, 0) / cases.length, tokens: 0, costUsd: 0, reused: 0 } };
}

describe('signTest', () => {
  it('gives the two-sided exact probability of a split at least this uneven', () => {
    expect(signTest(0, 0)).toBe(1);
    expect(signTest(5, 0)).toBeCloseTo(0.0625, 10);
    expect(signTest(3, 3)).toBe(1);
    expect(signTest(10, 0)).toBeCloseTo(2 / 1024, 10);
  });
});

describe('compareSettings', () => {
  it('pairs cases side by side and says a small difference could be chance', () => {
    const experiment = compareSettings({ label: 'gpt-4.1', report: report('a', [true, true, true, false]) }, { label: 'gpt-4.1-mini', report: report('b', [true, false, true, false]) });
    expect(experiment).toMatchObject({ onlyA: 1, onlyB: 0, pValue: 1 });
    expect(experiment.note).toBe('1 of 4 cases came out differently (1 passed only with the first, 0 only with the second); exact sign test p = 1.000: this could be chance; with 4 cases, only a large difference would show.');
    const table = experimentTable(experiment);
    expect(table[0]).toBe('case              gpt-4.1        gpt-4.1-mini   change');
    expect(table[2]).toBe('c2                pass 1.00      FAIL 0.50      -0.50');
    expect(table[5]).toBe('pass rate · mean  75.0% · 0.875  50.0% · 0.750');
  });

  it('calls a lopsided split over many cases unlikely to be chance', () => {
    const many = (pass: boolean, count: number) => Array.from({ length: count }, () => pass);
    const experiment = compareSettings({ label: 'old', report: report('a', many(false, 12)) }, { label: 'new', report: report('b', many(true, 12)) });
    expect(experiment.pValue).toBeLessThan(0.001);
    expect(experiment.note).toMatch(/unlikely to be chance\.$/);
  });
});
