/**
 * An experiment: the same cases under two settings (models, prompts, agent
 * versions), side by side. Each setting is a suite run of its own; the report
 * pairs their cases and says whether the difference could be chance.
 */
import type { CaseReport, SuiteReport } from './report.ts';

export interface ExperimentReport {
  a: { label: string; report: SuiteReport };
  b: { label: string; report: SuiteReport };
  cases: { caseId: string; a?: CaseReport; b?: CaseReport; scoreChange?: number }[];
  /** Cases one setting passed and the other failed. */
  onlyA: number;
  onlyB: number;
  /** Two-sided exact sign test on those cases: how likely a split this uneven is by chance alone. */
  pValue: number;
  note: string;
}

export function compareSettings(a: { label: string; report: SuiteReport }, b: { label: string; report: SuiteReport }): ExperimentReport {
  const byId = new Map(b.report.cases.map((item) => [item.caseId, item]));
  const ids = [...new Set([...a.report.cases.map((item) => item.caseId), ...b.report.cases.map((item) => item.caseId)])];
  const aById = new Map(a.report.cases.map((item) => [item.caseId, item]));
  const cases = ids.map((caseId) => {
    const left = aById.get(caseId);
    const right = byId.get(caseId);
    return { caseId, ...(left ? { a: left } : {}), ...(right ? { b: right } : {}), ...(left && right ? { scoreChange: right.score - left.score } : {}) };
  });
  const paired = cases.filter((item) => item.a && item.b);
  const onlyA = paired.filter((item) => item.a!.pass && !item.b!.pass).length;
  const onlyB = paired.filter((item) => !item.a!.pass && item.b!.pass).length;
  const pValue = signTest(onlyA, onlyB);
  return { a, b, cases, onlyA, onlyB, pValue, note: significanceNote(paired.length, onlyA, onlyB, pValue) };
}

/** Two-sided exact binomial test of `x` against `y` successes, at even odds. */
export function signTest(x: number, y: number): number {
  const n = x + y;
  if (n === 0) return 1;
  let tail = 0;
  let choose = 1;
  for (let k = 0; k <= Math.min(x, y); k += 1) {
    tail += choose;
    choose = (choose * (n - k)) / (k + 1);
  }
  return Math.min(1, (2 * tail) / 2 ** n);
}

function significanceNote(paired: number, onlyA: number, onlyB: number, pValue: number): string {
  const split = `${onlyA + onlyB} of ${paired} cases came out differently (${onlyA} passed only with the first, ${onlyB} only with the second); exact sign test p = ${pValue.toFixed(3)}`;
  if (onlyA + onlyB === 0) return `The two settings passed and failed the same ${paired} cases.`;
  if (pValue < 0.05) return `${split}: unlikely to be chance.`;
  return `${split}: this could be chance${paired < 30 ? `; with ${paired} cases, only a large difference would show` : ''}.`;
}

/** The two settings side by side, a row per case, then the totals and the note. */
export function experimentTable(experiment: ExperimentReport): string[] {
  const { a, b } = experiment;
  const cell = (item: CaseReport | undefined) => (item ? `${item.pass ? 'pass' : 'FAIL'} ${item.score.toFixed(2)}` : '—');
  const rows = experiment.cases.map((item) => [item.caseId, cell(item.a), cell(item.b), item.scoreChange === undefined ? '' : item.scoreChange === 0 ? '=' : `${item.scoreChange > 0 ? '+' : ''}${item.scoreChange.toFixed(2)}`]);
  const totals = (report: SuiteReport) => `${(report.summary.passRate * 100).toFixed(1)}% · ${report.summary.meanScore.toFixed(3)}`;
  const all = [['case', a.label, b.label, 'change'], ...rows, ['pass rate · mean', totals(a.report), totals(b.report), '']];
  const widths = all[0]!.map((_, column) => Math.max(...all.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((text, column) => text.padEnd(widths[column]!)).join('  ').trimEnd();
  return [...all.map(line), '', experiment.note];
}
