export { checkCases, loadJsonlCases, type EvalCase } from './eval-case.ts';
export { defineSuite, type EvalSuite } from './define-suite.ts';
export { defineScorer, type Score, type ScoreInput, type Scorer } from './scorer.ts';
export { exactMatch, includes, matches } from './scorers/text.ts';
export { matchesSchema } from './scorers/structured.ts';
export { toolUse, type ExpectedCall, type ToolUseOptions } from './scorers/tool-use.ts';
export { withinBudget, withinLatency } from './scorers/limits.ts';
export { newSuiteId, runSuite, suiteAllowance, type RunSuiteOptions, type SuiteClient } from './run-suite.ts';
export { compareWithBaseline, comparisonLines, reportMarkdown, reportTable, type BaselineComparison, type CaseReport, type SuiteReport } from './report.ts';
