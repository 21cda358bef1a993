import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { corpusExtensions } from '@cairn/tools/corpus/load-documents.ts';
import logUpdate from 'log-update';
import { CairnError, type InboxItem } from '@cairn/core';
import { newRunId } from '@cairn/core/internals';
import { CairnSearchAttributes, isEmbedded } from '@cairn/core/temporal';
import { defaultModel, type ResearchInput, type ResearchResult } from '@cairn/agents';
import { loadCliConfig } from '../config.ts';
import { openSession, type Session } from '../session.ts';
import { checkApiKey } from '../api-keys.ts';
import { bold, dim, green, printJson, terminalSafe, yellow } from '../print.ts';
import { formatItem, promptForPending } from './human.ts';
import { isResearchStatus, renderResearch } from '../research-view.ts';
import type { StackBringUp } from '../stack.ts';

export interface ResearchCommandOptions {
  corpus?: string;
  budget?: number;
  model?: string;
  clarify?: boolean;
  out?: string;
  detach?: boolean;
  config?: string;
  json?: boolean;
}

/** What scripts get from --json: the job's outcome, where its report went, and the report itself. */
function outcomeJson(result: ResearchResult, out: string | undefined) {
  return {
    runId: result.runId,
    status: result.status,
    partial: result.partial,
    citations: result.citations,
    usage: result.usage,
    costUsd: result.costUsd ?? 0,
    ...(out ? { reportPath: resolve(out) } : {}),
    report: result.report,
  };
}

const searchVariables = ['TAVILY_API_KEY', 'BRAVE_API_KEY', 'SEARXNG_URL'];

/** `cairn research "<question>"`: starts a deep-research job in the background stack and follows it live. */
export async function researchCommand(question: string, options: ResearchCommandOptions, stack?: StackBringUp): Promise<number> {
  if (question.trim() === '') throw new CairnError('The research question is empty.');
  const corpus = options.corpus ? resolve(options.corpus) : undefined;
  if (corpus && !(existsSync(corpus) && statSync(corpus).isDirectory())) {
    throw new CairnError(`--corpus ${options.corpus} is not a folder.`, { hint: 'Point it at a folder of .md, .txt or .html files.' });
  }
  if (corpus && !hasReadableDocument(corpus)) {
    throw new CairnError(`--corpus ${options.corpus} has no readable documents: no non-empty ${corpusExtensions.join(', ')} file in it or below it.`, {
      hint: 'Add the documents to research, or point --corpus at the folder that holds them.',
    });
  }
  const model = options.model ?? defaultModel();
  const { config, path } = await loadCliConfig(options.config);
  if (isEmbedded()) {
    checkApiKey(model, config);
    if (!corpus && !searchVariables.some((variable) => process.env[variable])) {
      throw new CairnError('Web research needs a search provider, and none is configured.', {
        hint: `Set one of ${searchVariables.join(', ')} (for example: export TAVILY_API_KEY=...), or research local documents with --corpus <folder>.`,
      });
    }
  }
  const session = await openSession({ bringUp: { configPath: path, early: stack }, blobStore: config.blobStore });
  try {
    const runId = newRunId('research');
    const input: ResearchInput = {
      question,
      clarify: options.clarify !== false,
      ...(options.budget !== undefined ? { budget: { tokens: options.budget } } : {}),
      ...(options.model ? { model: options.model } : {}),
      ...(corpus ? { corpus } : {}),
    };
    await session.client.startWorkflow('deepResearchWorkflow', input, { runId, agent: 'deep-research', summary: input.question, model: input.model, budget: input.budget });
    const url = session.client.uiUrl(runId);
    if (options.json && options.detach) {
      printJson({ runId, ...(url ? { uiUrl: url } : {}) });
      return 0;
    }
    if (!options.json) {
      console.log(`${bold('Research')} ${runId}`);
      if (url) console.log(`${dim('Temporal UI')} ${url}`);
    }
    if (options.detach) {
      console.log(dim(`It runs in the background: 'cairn watch ${runId}' to follow it, 'cairn report ${runId}' when it is done.`));
      return 0;
    }
    return await follow(session, runId, options.out, options.json);
  } finally {
    await session.close();
  }
}

/** A research job's run, or a clear error naming what the run is instead. */
async function expectResearchJob(session: Session, runId: string, command: string) {
  const info = await session.client.describe(runId);
  if (info.type !== 'deepResearchWorkflow') {
    const agent = info.typedSearchAttributes.get(CairnSearchAttributes.agent);
    throw new CairnError(`Run '${runId}' is not a research job: it is a run of ${agent ? `the agent '${String(agent)}'` : `a ${info.type}`}, which has no report to ${command}.`, {
      hint: `See it with 'cairn status ${runId}'.`,
    });
  }
  return info;
}

/** Whether `folder` holds a document a corpus can read (the same formats as the corpus loader). */
function hasReadableDocument(folder: string): boolean {
  return (readdirSync(folder, { recursive: true, encoding: 'utf8' }) as string[]).some((entry) => {
    if (!corpusExtensions.includes(extname(entry).toLowerCase())) return false;
    const stat = statSync(join(folder, entry), { throwIfNoEntry: false });
    return stat?.isFile() === true && stat.size > 0;
  });
}

/** `cairn watch <runId>`: re-attaches the live view to a running (or finished) job. */
export async function watchCommand(runId: string, options: { out?: string; json?: boolean }): Promise<number> {
  const session = await openSession();
  try {
    await expectResearchJob(session, runId, 'watch');
    return await follow(session, runId, options.out, options.json);
  } finally {
    await session.close();
  }
}

/** `cairn report <runId>`: prints or saves the report of a finished job. */
export async function reportCommand(runId: string, options: { out?: string; json?: boolean }): Promise<number> {
  const session = await openSession();
  try {
    const info = await expectResearchJob(session, runId, 'print');
    if (info.status.name === 'RUNNING') {
      // The phase the job published, so this answers even while no worker runs.
      const phase = String(info.typedSearchAttributes.get(CairnSearchAttributes.state) ?? 'running');
      throw new CairnError(`Run '${runId}' is not done yet (${phase}).`, { hint: `Follow it with 'cairn watch ${runId}'.` });
    }
    const result = (await session.client.result(runId)) as ResearchResult;
    deliver(result, options.out, options.json);
    return result.partial ? 2 : 0;
  } finally {
    await session.close();
  }
}

/**
 * The live view, until the job ends. Ctrl-C leaves the view only: the job runs
 * on in the background worker.
 */
async function follow(session: Session, runId: string, out: string | undefined, json = false): Promise<number> {
  // With --json, stdout carries the outcome alone: no live view, and no prompts on a terminal.
  const interactive = process.stdout.isTTY === true && !json;
  let prompting = false;
  let last = '';
  let left = false;
  const leave = () => {
    left = true;
  };
  process.once('SIGINT', leave);
  const stopPrompting = json
    ? () => {}
    : promptForPending(session, runId, (active) => {
        prompting = active;
        if (active && interactive) logUpdate.done();
      });
  try {
    for (;;) {
      if (left) {
        if (interactive) logUpdate.done();
        console.error(yellow(`\nLeft the live view. The job keeps running: 'cairn watch ${runId}' re-attaches, 'cairn report ${runId}' prints the report.`));
        return 0;
      }
      const info = await session.client.describe(runId);
      if (info.status.name !== 'RUNNING') break;
      try {
        const status = await session.client.status(runId);
        const pending = await pendingInTree(session, runId);
        if (isResearchStatus(status) && !prompting && !json) {
          const writing = status.phase === 'writing' ? await session.client.streamedText(`${runId}.write`).catch(() => undefined) : undefined;
          const view = renderResearch(
            status,
            pending.map((item) => `${item.runId === runId ? '' : `[${item.agent}] `}${formatItem(item)}`),
            writing && terminalSafe(writing.tail),
          );
          if (interactive) logUpdate(view);
          else if (view !== last) console.error(view + '\n');
          last = view;
        }
      } catch {
        // Not queryable for a moment (a worker restarting): keep waiting.
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (interactive) logUpdate.done();
    const result = (await session.client.result(runId)) as ResearchResult;
    deliver(result, out, json);
    return result.partial ? 2 : 0;
  } finally {
    stopPrompting();
    process.removeListener('SIGINT', leave);
  }
}

async function pendingInTree(session: Session, runId: string): Promise<InboxItem[]> {
  return (await session.client.inbox()).filter((item) => item.runId === runId || item.runId.startsWith(`${runId}.`));
}

function deliver(result: ResearchResult, out: string | undefined, json = false): void {
  if (out) writeFileSync(out, `${result.report}\n`);
  if (json) {
    printJson(outcomeJson(result, out));
    return;
  }
  if (out) {
    console.log(`${green('✓')} Report written to ${out}${result.partial ? yellow(' (partial)') : ''} · citations verified: ${result.citations.verified} of ${result.citations.total}`);
  } else {
    console.log(`\n${terminalSafe(result.report)}\n`);
  }
  if (result.costUsd) console.log(dim(`$${result.costUsd.toFixed(4)} · ${result.usage.inputTokens + result.usage.outputTokens} tokens`));
}
