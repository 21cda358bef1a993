import { openSession } from '../session.ts';
import { bold, dim, formatTokens, printJson, terminalSafe, yellow } from '../print.ts';
import { budgetBar, renderTree } from '../tree-view.ts';
import { formatItem } from './human.ts';

/** `cairn status <runId>`: the run, its budget, and its tree of sub-agents. */
export async function statusCommand(runId: string, options: { json?: boolean }): Promise<number> {
  const session = await openSession();
  try {
    const tree = await session.client.statusTree(runId);
    if (options.json) {
      printJson(tree);
      return 0;
    }
    console.log(`${bold(tree.runId)}  ${tree.agent}${tree.model ? dim(` (${tree.model})`) : ''}`);
    console.log(`state   ${tree.state}${tree.exhaustedLimit ? ` (${tree.exhaustedLimit} budget exhausted)` : ''}`);
    if (tree.workerUnavailable) console.log(dim("        (no worker is answering: start one with 'cairn up' or 'cairn worker' for the full status)"));
    console.log(`turn    ${tree.turn}${tree.maxTurns ? ` of at most ${tree.maxTurns}` : ''}`);
    if (tree.buildId) console.log(`build   ${terminalSafe(tree.buildId)}`);
    const cacheWrites = tree.usage.cacheWriteInputTokens ? `, ${formatTokens(tree.usage.cacheWriteInputTokens)} written to the cache` : '';
    const cachedShare = tree.usage.inputTokens > 0 && tree.usage.cachedInputTokens > 0 ? ` · ${Math.round((tree.usage.cachedInputTokens / tree.usage.inputTokens) * 100)}% of input from the cache` : '';
    console.log(`tokens  ${formatTokens(tree.usage.inputTokens)} in / ${formatTokens(tree.usage.outputTokens)} out (${formatTokens(tree.usage.cachedInputTokens)} cached${cacheWrites})${cachedShare}`);
    if (tree.budget) console.log(`budget  ${budgetBar(tree.budget)}`);
    for (const item of tree.pending) console.log(`waiting ${formatItem(item)}${tree.queuedDecisions?.includes(item.id) ? dim(' (an answer is queued for it, unchecked until a worker runs)') : ''}`);
    for (const rejection of tree.rejected) console.log(yellow(`rejected ${terminalSafe(rejection.message)}`));
    for (const call of tree.toolCalls) console.log(dim(`  ${call.name} ${call.state}${call.preview ? `: ${terminalSafe(call.preview.slice(0, 80).replace(/\s+/g, ' '))}` : ''}`));
    if (tree.children.length > 0) {
      console.log('sub-agents');
      for (const line of renderTree(tree).slice(1)) console.log(`  ${line}`);
    }
    if (tree.output) console.log(`\n${terminalSafe(tree.output)}`);
    const url = session.client.uiUrl(runId);
    if (url) console.log(dim(`\n${url}`));
    return 0;
  } finally {
    await session.close();
  }
}

/** `cairn list` */
export async function listCommand(options: { json?: boolean; limit?: number }): Promise<number> {
  const session = await openSession();
  try {
    const runs = await session.client.list({ limit: options.limit, workflowTypes: ['agentWorkflow', 'deepResearchWorkflow'] });
    if (options.json) {
      printJson(runs);
      return 0;
    }
    if (runs.length === 0) console.log(dim('No runs yet.'));
    for (const run of runs) {
      console.log(`${run.runId.padEnd(40)} ${(run.agent ?? '').padEnd(18)} ${run.state.padEnd(16)} ${dim(run.startedAt.toISOString())}`);
    }
    return 0;
  } finally {
    await session.close();
  }
}

/** `cairn cancel <runId>` */
export async function cancelCommand(runId: string): Promise<number> {
  const session = await openSession();
  try {
    await session.client.cancel(runId);
    console.log(`Cancellation requested for ${runId}.`);
    return 0;
  } finally {
    await session.close();
  }
}
