/**
 * What a suite run found: per case and in total, as a terminal table, JSON, or
 * Markdown for a pull request; and how it compares with a stored baseline.
 */
import type { Score } from './scorer.ts';

export interface CaseReport {
  caseId: string;
  runId: string;
  /** The run existed already (the suite was resumed): it was not run again. */
  reused: boolean;
  tags?: string[];
  /** How the run ended, or `failed`. */
  status: string;
  /** The answer's beginning. */
  output: string;
  error?: string;
  scores: Score[];
  /** The mean of the scores. */
  score: number;
  /** Every scorer passed. */
  pass: boolean;
  tokens: number;
  costUsd: number;
  durationMs: number;
}

export interface SuiteReport {
  suite: string;
  suiteId: string;
  model?: string;
  startedAt: string;
  cases: CaseReport[];
  summary: { cases: number; passed: number; passRate: number; meanScore: number; tokens: number; costUsd: number; reused: number };
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** One line per case, then the totals. */
export function reportTable(report: SuiteReport): string[] {
  const rows = report.cases.map((item) => [item.pass ? 'pass' : 'FAIL', item.caseId, item.score.toFixed(2), String(item.tokens), `$${item.costUsd.toFixed(4)}`, `${(item.durationMs / 1000).toFixed(1)} s`, failures(item)]);
  const header = ['', 'case', 'score', 'tokens', 'cost', 'time', 'why not'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  const { summary } = report;
  return [
    line(header),
    ...rows.map(line),
    '',
    `${summary.passed} of ${summary.cases} passed (${percent(summary.passRate)}) · mean score ${summary.meanScore.toFixed(3)} · ${summary.tokens} tokens · $${summary.costUsd.toFixed(4)}${summary.reused ? ` · ${summary.reused} taken from the earlier run of ${report.suiteId}` : ''}`,
  ];
}

function failures(item: CaseReport): string {
  if (item.error) return item.error.slice(0, 120);
  return item.scores
    .filter((score) => !score.pass)
    .map((score) => `${score.scorer}: ${score.note ?? score.score.toFixed(2)}`)
    .join('; ')
    .slice(0, 160);
}

export function reportMarkdown(report: SuiteReport, comparison?: BaselineComparison): string {
  const { summary } = report;
  const lines = [
    `### Eval: ${report.suite}${report.model ? ` on ${report.model}` : ''}`,
    '',
    `**${summary.passed} of ${summary.cases} passed (${percent(summary.passRate)})**, mean score ${summary.meanScore.toFixed(3)}, ${summary.tokens} tokens, $${summary.costUsd.toFixed(4)}.`,
    '',
  ];
  if (comparison) lines.push(...comparisonLines(comparison).map((line) => `- ${line}`), '');
  lines.push('| | case | score | tokens | cost | why not |', '| --- | --- | --- | --- | --- | --- |');
  for (const item of report.cases) lines.push(`| ${item.pass ? '✅' : '❌'} | ${item.caseId} | ${item.score.toFixed(2)} | ${item.tokens} | $${item.costUsd.toFixed(4)} | ${failures(item).replace(/\|/g, '\\|')} |`);
  return `${lines.join('\n')}\n`;
}

export interface BaselineComparison {
  passRate: { baseline: number; now: number };
  meanScore: { baseline: number; now: number };
  /** Cases that passed in the baseline and fail now, or scored lower. */
  regressions: { caseId: string; baseline: number; now: number }[];
  improvements: { caseId: string; baseline: number; now: number }[];
  /** The pass rate or the mean score fell by more than the threshold. */
  failed: boolean;
  /** With fewer cases than this in common, a difference may be chance. */
  smallSample: boolean;
}

/** Compares with a stored report; fails when the pass rate or mean score falls by more than `maxDrop` (default 0.05). */
export function compareWithBaseline(report: SuiteReport, baseline: SuiteReport, options: { maxDrop?: number } = {}): BaselineComparison {
  const maxDrop = options.maxDrop ?? 0.05;
  const before = new Map(baseline.cases.map((item) => [item.caseId, item]));
  const regressions: BaselineComparison['regressions'] = [];
  const improvements: BaselineComparison['improvements'] = [];
  let common = 0;
  for (const item of report.cases) {
    const old = before.get(item.caseId);
    if (!old) continue;
    common += 1;
    if ((old.pass && !item.pass) || item.score < old.score - 1e-9) regressions.push({ caseId: item.caseId, baseline: old.score, now: item.score });
    else if ((!old.pass && item.pass) || item.score > old.score + 1e-9) improvements.push({ caseId: item.caseId, baseline: old.score, now: item.score });
  }
  const passRate = { baseline: baseline.summary.passRate, now: report.summary.passRate };
  const meanScore = { baseline: baseline.summary.meanScore, now: report.summary.meanScore };
  return {
    passRate,
    meanScore,
    regressions,
    improvements,
    failed: passRate.baseline - passRate.now > maxDrop || meanScore.baseline - meanScore.now > maxDrop,
    smallSample: common < 30,
  };
}

export function comparisonLines(comparison: BaselineComparison): string[] {
  const change = (what: string, { baseline, now }: { baseline: number; now: number }, format: (value: number) => string) => `${what} ${format(baseline)} → ${format(now)}`;
  return [
    `${change('pass rate', comparison.passRate, percent)}; ${change('mean score', comparison.meanScore, (value) => value.toFixed(3))}${comparison.failed ? ' — worse than the baseline allows' : ''}`,
    ...comparison.regressions.map((item) => `regressed: ${item.caseId} (${item.baseline.toFixed(2)} → ${item.now.toFixed(2)})`),
    ...comparison.improvements.map((item) => `improved: ${item.caseId} (${item.baseline.toFixed(2)} → ${item.now.toFixed(2)})`),
    ...(comparison.smallSample ? ['few cases in common: a difference of a case or two may be chance, not a change'] : []),
  ];
}
