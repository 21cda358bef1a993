/** An eval suite: an agent, the cases it is run on, and how each run is scored. */
import { CairnError, type AgentDefinition, type RunOptions } from '@cairn/core';
import { checkCases, type EvalCase } from './eval-case.ts';
import type { Scorer } from './scorer.ts';
import type { ScriptedHuman } from './scripted-human.ts';

/**
 * A job of the workers' own (a workflow of the config's `workflowModules`, such as deep
 * research) as what a suite runs: how a case becomes its input. Its result must be an
 * `AgentRunResult` (the answer in `output`), as Cairn's jobs return.
 */
export interface EvalJob {
  readonly workflowType: string;
  /** How its runs are listed (`cairn list`, `cairn stats`). */
  readonly agent: string;
  /** The job's input for a case, with the case's share of the suite's budget. */
  input(evalCase: EvalCase, budget: { tokens?: number; usd?: number } | undefined): unknown;
}

export interface EvalSuite<Input = unknown, Output = unknown> {
  readonly kind: 'eval-suite';
  /** Names the suite's runs (`eval-<suiteId>-<caseId>`). */
  readonly name: string;
  /** The agent each case runs: its definition (typed input and output) or its name; or a job. */
  readonly agent: AgentDefinition<Input, Output> | string | EvalJob;
  readonly cases: readonly EvalCase<Input>[];
  readonly scorers: readonly Scorer<Output>[];
  /** What the whole suite may spend: split evenly between the cases, as each run's limit. */
  readonly budget?: { tokens?: number; usd?: number };
  /** Options of every case's run (a turn limit, tool settings). */
  readonly runOptions?: RunOptions;
  /** Answers the agent's questions and decides its approvals, per case. */
  readonly human?: ScriptedHuman;
}

const suiteNamePattern = /^[a-z][a-z0-9-]{0,47}$/;

export function defineSuite<Input, Output>(suite: Omit<EvalSuite<Input, Output>, 'kind'>): EvalSuite<Input, Output> {
  if (typeof suite.name !== 'string' || !suiteNamePattern.test(suite.name)) {
    throw new CairnError(`Invalid suite name ${JSON.stringify(suite.name)}: use up to 48 lower-case letters, digits or '-', starting with a letter.`);
  }
  if (!Array.isArray(suite.scorers) || suite.scorers.length === 0) {
    throw new CairnError(`Suite '${suite.name}' has no scorers.`, { hint: 'Add at least one, such as includes() or toolUse({...}).' });
  }
  for (const [dimension, value] of Object.entries(suite.budget ?? {})) {
    if (value !== undefined && !(typeof value === 'number' && value > 0)) throw new CairnError(`Suite '${suite.name}': budget.${dimension} must be a positive number.`);
  }
  return { ...suite, kind: 'eval-suite', cases: checkCases(suite.cases, `suite '${suite.name}'`) };
}
