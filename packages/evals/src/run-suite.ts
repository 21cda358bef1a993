/**
 * Runs a suite: each case is an ordinary Cairn run with its own budget, named
 * after the suite id and the case (`eval-<suiteId>-<caseId>`). A suite run again
 * with the same id finds the runs it already has, waits for those still going,
 * and starts only the rest, so a suite survives a killed worker or a killed
 * runner without repeating a finished case.
 */
import { CairnError, UnknownRunError, type AgentDefinition, type AgentRunResult, type CairnClient, type RunOptions } from '@cairn/core';
import type { EvalCase } from './eval-case.ts';
import type { EvalSuite } from './define-suite.ts';
import type { CaseReport, SuiteReport } from './report.ts';
import type { Score } from './scorer.ts';
import { answerAsScripted } from './scripted-human.ts';

export interface RunSuiteOptions {
  /** Ties the suite's runs together; the same id resumes. Default: the suite's name and the time. */
  suiteId?: string;
  /** Runs every case on this `provider:model` instead of the agent's own. */
  model?: string;
  /** Cases running at once. Default 4. */
  concurrency?: number;
  /** Told as each case ends. */
  onCase?: (report: CaseReport, done: number, total: number) => void;
}

export type SuiteClient = Pick<CairnClient, 'start' | 'startWorkflow' | 'result' | 'record' | 'describe' | 'pending' | 'answer' | 'decide'>;

export function newSuiteId(name: string, now = Date.now()): string {
  return `${name}-${now.toString(36)}`;
}

/** The most a suite will spend, as its budget allows: shown before it starts. */
export function suiteAllowance(suite: EvalSuite): { perCase?: { tokens?: number; usd?: number }; total?: { tokens?: number; usd?: number } } {
  if (!suite.budget) return {};
  const cases = suite.cases.length;
  const perCase = {
    ...(suite.budget.tokens !== undefined ? { tokens: Math.floor(suite.budget.tokens / cases) } : {}),
    ...(suite.budget.usd !== undefined ? { usd: suite.budget.usd / cases } : {}),
  };
  return { perCase, total: suite.budget };
}

export async function runSuite(client: SuiteClient, suite: EvalSuite, options: RunSuiteOptions = {}): Promise<SuiteReport> {
  const suiteId = options.suiteId ?? newSuiteId(suite.name);
  if (!/^[a-z0-9][a-z0-9-]{0,79}$/.test(suiteId)) throw new CairnError(`Invalid suite id ${JSON.stringify(suiteId)}: use lower-case letters, digits and '-'.`);
  const { perCase } = suiteAllowance(suite);
  const runOptions: RunOptions = {
    ...suite.runOptions,
    ...(options.model ? { model: options.model } : {}),
    ...(perCase ? { budget: { ...suite.runOptions?.budget, ...perCase } } : {}),
  };
  const startedAt = new Date().toISOString();
  const reports: CaseReport[] = new Array(suite.cases.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < suite.cases.length) {
      const index = next++;
      const evalCase = suite.cases[index]!;
      reports[index] = await runCase(client, suite, evalCase, `eval-${suiteId}-${evalCase.id}`, runOptions);
      options.onCase?.(reports[index], ++done, suite.cases.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, suite.cases.length)) }, worker));
  return summarise({ suite: suite.name, suiteId, ...(options.model ? { model: options.model } : {}), startedAt, cases: reports });
}

async function runCase(client: SuiteClient, suite: EvalSuite, evalCase: EvalCase, runId: string, runOptions: RunOptions): Promise<CaseReport> {
  // A case the suite already ran (or is running) is taken as it is: never run twice.
  const reused = await runExists(client, runId);
  if (!reused) {
    const agent = suite.agent;
    const text = typeof evalCase.input === 'string' ? evalCase.input : JSON.stringify(evalCase.input);
    if (typeof agent === 'string') await client.start(agent, text, { ...runOptions, runId });
    else if ('workflowType' in agent) await client.startWorkflow(agent.workflowType, agent.input(evalCase, runOptions.budget), { runId, agent: agent.agent, summary: text });
    else await client.start(agent, evalCase.input, { ...runOptions, runId });
  }
  const base = { caseId: evalCase.id, runId, reused, ...(evalCase.tags ? { tags: evalCase.tags } : {}) };
  let result: AgentRunResult;
  const stopHuman = suite.human && answerAsScripted(client, runId, evalCase, suite.human);
  try {
    result = await client.result(runId);
  } catch (error) {
    return { ...base, status: 'failed', output: '', error: (error as Error).message, scores: [], score: 0, pass: false, tokens: 0, costUsd: 0, durationMs: 0 };
  } finally {
    stopHuman?.();
  }
  const description = await client.describe(runId);
  const durationMs = (description.closeTime ?? new Date()).getTime() - description.startTime.getTime();
  const record = await client.record(runId, { depth: 0 });
  // Judges and other runs a scorer asks for: durable runs of the suite too, paid from what the case has left.
  let extra = { tokens: 0, costUsd: 0 };
  let extraRuns = 0;
  const runAgent = async <Output>(agent: AgentDefinition<string, Output>, input: string): Promise<AgentRunResult<Output>> => {
    const extraId = `${runId}-${agent.name}-${++extraRuns}`;
    const spent = result.usage.inputTokens + result.usage.outputTokens + extra.tokens;
    const left = runOptions.budget?.tokens === undefined ? undefined : runOptions.budget.tokens - spent;
    if (left !== undefined && left <= 0) throw new CairnError(`no budget left in this case for ${agent.name}`);
    if (!(await runExists(client, extraId))) await client.start(agent, input, { ...(left !== undefined ? { budget: { tokens: left } } : {}), runId: extraId });
    const graded = await client.result<Output>(extraId);
    extra = { tokens: extra.tokens + graded.usage.inputTokens + graded.usage.outputTokens, costUsd: extra.costUsd + (graded.costUsd ?? 0) };
    return graded;
  };
  const scores: Score[] = [];
  for (const scorer of suite.scorers) {
    try {
      scores.push(await scorer.score({ case: evalCase, result, record, durationMs, runAgent }));
    } catch (error) {
      scores.push({ scorer: scorer.name, score: 0, pass: false, note: `the scorer failed: ${(error as Error).message}` });
    }
  }
  return {
    ...base,
    status: result.status,
    output: result.output.slice(0, 500),
    scores,
    score: scores.reduce((sum, score) => sum + score.score, 0) / scores.length,
    pass: scores.every((score) => score.pass),
    tokens: result.usage.inputTokens + result.usage.outputTokens + extra.tokens,
    costUsd: (result.costUsd ?? 0) + extra.costUsd,
    durationMs,
  };
}

function runExists(client: SuiteClient, runId: string): Promise<boolean> {
  return client.describe(runId).then(
    () => true,
    (error: unknown) => {
      if (error instanceof UnknownRunError) return false;
      throw error;
    },
  );
}

function summarise(report: Omit<SuiteReport, 'summary'>): SuiteReport {
  const { cases } = report;
  const passed = cases.filter((item) => item.pass).length;
  return {
    ...report,
    summary: {
      cases: cases.length,
      passed,
      passRate: passed / cases.length,
      meanScore: cases.reduce((sum, item) => sum + item.score, 0) / cases.length,
      tokens: cases.reduce((sum, item) => sum + item.tokens, 0),
      costUsd: cases.reduce((sum, item) => sum + item.costUsd, 0),
      reused: cases.filter((item) => item.reused).length,
    },
  };
}
