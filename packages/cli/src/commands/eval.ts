import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CairnError, type AgentDefinition, type CairnConfig } from '@cairn/core';
import { ProviderRegistry } from '@cairn/core/internals';
import { importUserModule } from '@cairn/core/config';
import { isEmbedded } from '@cairn/core/temporal';
import { compareSettings, compareWithBaseline, comparisonLines, experimentTable, reportMarkdown, reportTable, runSuite, suiteAllowance, type EvalSuite, type SuiteReport } from '@cairn/evals';
import { loadCliConfig } from '../config.ts';
import { openSession } from '../session.ts';
import { checkApiKey } from '../api-keys.ts';
import { bold, dim, green, printJson, red, yellow } from '../print.ts';

export interface EvalOptions {
  config?: string;
  model?: string;
  concurrency?: number;
  suiteId?: string;
  baseline?: string;
  maxDrop?: number;
  json?: boolean;
  out?: string;
  taskQueue?: string;
  /** An experiment: the same cases under another suite (agent version, prompt) ... */
  versus?: string;
  /** ... or on another model; printed side by side. */
  versusModel?: string;
}

/**
 * `cairn eval <suite>`: runs an eval suite (a module whose default export is `defineSuite(...)`),
 * prints a row per case and the totals, and compares with a baseline report. Exit code 1 when
 * the baseline comparison fails.
 */
export async function evalCommand(suitePath: string, options: EvalOptions): Promise<number> {
  const suite = await loadSuite(suitePath);
  const versus = options.versus ? await loadSuite(options.versus) : options.versusModel ? suite : undefined;
  const baseline = options.baseline ? await readBaseline(options.baseline) : undefined;
  const { config, path } = await loadCliConfig(options.config);
  const agent = servedAgent(suite, config.agents, path);
  const model = options.model ?? agent?.spec.model;
  if (isEmbedded() && model) checkApiKey(model, config);
  const versusAgent = versus && servedAgent(versus, config.agents, path);
  const versusModel = options.versusModel ?? options.model ?? versusAgent?.spec.model;
  if (versus && isEmbedded() && versusModel) checkApiKey(versusModel, config);

  const { perCase, total } = suiteAllowance(suite);
  if (!options.json) {
    const limits = total ? ` · up to ${[total.tokens && `${total.tokens.toLocaleString('en-US')} tokens`, total.usd && `$${total.usd}`].filter(Boolean).join(' and ')} (${[perCase?.tokens && `${perCase.tokens.toLocaleString('en-US')} tokens`, perCase?.usd && `$${perCase.usd.toFixed(4)}`].filter(Boolean).join(', ')} a case)` : '';
    console.error(`${bold('Eval')} ${suite.name}: ${suite.cases.length} cases${model ? ` on ${model}` : ''}${limits}${costCeiling(total, model, config)}`);
  }
  const session = await openSession({ bringUp: { configPath: path }, taskQueue: options.taskQueue ?? config.taskQueue, blobStore: config.blobStore });
  try {
    const report = await runSuite(session.client, suite, {
      ...(options.suiteId ? { suiteId: options.suiteId } : {}),
      ...(options.model ? { model: options.model } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onCase: (item, done, all) => {
        if (!options.json) console.error(dim(`${done}/${all} ${item.pass ? 'pass' : 'fail'} ${item.caseId}${item.reused ? ' (from the earlier run)' : ''}`));
      },
    });
    const comparison = baseline && compareWithBaseline(report, baseline, { maxDrop: options.maxDrop });
    // The second setting of an experiment: its own suite run, resumed under the same suite id.
    const experiment = versus
      ? compareSettings(
          { label: settingLabel(suite, model, versus !== suite), report },
          {
            label: settingLabel(versus, versusModel, versus !== suite),
            report: await runSuite(session.client, versus, {
              suiteId: `${report.suiteId}-versus`,
              ...(options.versusModel || options.model ? { model: options.versusModel ?? options.model } : {}),
              ...(options.concurrency ? { concurrency: options.concurrency } : {}),
              onCase: (item, done, all) => {
                if (!options.json) console.error(dim(`${done}/${all} ${item.pass ? 'pass' : 'fail'} ${item.caseId} (versus)`));
              },
            }),
          },
        )
      : undefined;
    if (options.out) {
      await writeFile(options.out, options.out.endsWith('.md') ? reportMarkdown(report, comparison) : `${JSON.stringify(report, null, 2)}\n`);
    }
    if (options.json) {
      printJson({ ...report, ...(comparison ? { baseline: comparison } : {}), ...(experiment ? { experiment } : {}) });
    } else {
      console.log((experiment ? experimentTable(experiment) : reportTable(report)).join('\n'));
      if (comparison) for (const line of comparisonLines(comparison)) console.log(comparison.failed ? red(line) : line.startsWith('improved') ? green(line) : line.startsWith('regressed') ? yellow(line) : line);
      console.log(dim(`Suite id ${report.suiteId}: run again with --suite-id ${report.suiteId} to resume it${options.out ? ` · report written to ${options.out}` : ''}.`));
    }
    return comparison?.failed ? 1 : 0;
  } finally {
    await session.close();
  }
}

async function loadSuite(suitePath: string): Promise<EvalSuite> {
  const path = resolve(suitePath);
  let module: { default?: EvalSuite };
  try {
    module = await importUserModule<EvalSuite>(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(path)) {
      throw new CairnError(`Suite file not found: ${path}.`, { hint: 'Give the path of a module whose default export is defineSuite({...}).' });
    }
    if (error instanceof CairnError) throw error;
    throw new CairnError(`Could not load the suite ${path}: ${(error as Error).message}`, { hint: 'Fix the error in the suite file.' });
  }
  if (module.default?.kind !== 'eval-suite') throw new CairnError(`${path} must export default defineSuite({ ... }).`, { hint: "defineSuite comes from '@cairn/evals'." });
  return module.default;
}

async function readBaseline(file: string): Promise<SuiteReport> {
  let parsed: Partial<SuiteReport>;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<SuiteReport>;
  } catch (error) {
    throw new CairnError(`Cannot read the baseline ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`, { hint: 'Give a report written by cairn eval --out <file>.json.' });
  }
  if (!Array.isArray(parsed.cases) || typeof parsed.summary?.passRate !== 'number') {
    throw new CairnError(`${file} is not an eval report.`, { hint: 'Give a report written by cairn eval --out <file>.json.' });
  }
  return parsed as SuiteReport;
}

/** What the suite's token budget could cost at most, at the model's dearest rate, when its price is known. */
function costCeiling(total: { tokens?: number; usd?: number } | undefined, model: string | undefined, config: CairnConfig): string {
  if (total?.tokens === undefined || total.usd !== undefined || !model) return '';
  const price = { ...new ProviderRegistry(config.providers).prices(), ...config.prices }[model];
  if (!price) return '';
  const dearest = Math.max(price.inputPerMillion, price.cacheWriteInputPerMillion ?? 0, price.outputPerMillion);
  return `, at most $${((total.tokens * dearest) / 1_000_000).toFixed(2)} at its prices`;
}

/** The suite's agent, as the config serves it (a clear error when it does not); undefined for a job, whose agents are its own. */
function servedAgent(suite: EvalSuite, agents: readonly AgentDefinition[], path: string | undefined): AgentDefinition | undefined {
  if (typeof suite.agent === 'object' && 'workflowType' in suite.agent) return undefined;
  const agent = typeof suite.agent === 'string' ? agents.find((candidate) => candidate.name === suite.agent) : suite.agent;
  if (!agent || !servesAgent(agents, agent.name)) {
    throw new CairnError(`Suite '${suite.name}' runs the agent '${typeof suite.agent === 'string' ? suite.agent : (agent?.name ?? '?')}', which the config does not serve.`, {
      hint: `Add it to the agents of ${path ?? 'cairn.config.ts'} (or pass --config with one that has it), so the workers can run it.`,
    });
  }
  return agent;
}

/** How a setting is named in an experiment's table: by its suite when the suites differ, else by its model. */
function settingLabel(suite: EvalSuite, model: string | undefined, bySuite: boolean): string {
  return bySuite || !model ? suite.name : model;
}

function servesAgent(agents: readonly AgentDefinition[], name: string): boolean {
  return agents.some((agent) => agent.name === name || servesAgent(agent.subAgents, name));
}
