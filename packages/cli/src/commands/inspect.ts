import { openSession } from '../session.ts';
import { bold, dim, formatTokens, printJson } from '../print.ts';

/** `cairn status <runId>` */
export async function statusCommand(runId: string, options: { json?: boolean }): Promise<number> {
  const session = await openSession();
  try {
    const status = await session.client.status(runId);
    if (options.json) {
      printJson(status);
      return 0;
    }
    console.log(`${bold(status.runId)}  ${status.agent}${status.model ? dim(` (${status.model})`) : ''}`);
    console.log(`state   ${status.state}`);
    console.log(`turn    ${status.turn}${status.maxTurns ? ` of at most ${status.maxTurns}` : ''}`);
    console.log(`tokens  ${formatTokens(status.usage.inputTokens)} in / ${formatTokens(status.usage.outputTokens)} out (${formatTokens(status.usage.cachedInputTokens)} cached)`);
    for (const call of status.toolCalls) console.log(dim(`  ${call.name} ${call.state}${call.preview ? `: ${call.preview.slice(0, 80).replace(/\s+/g, ' ')}` : ''}`));
    if (status.output) console.log(`\n${status.output}`);
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
    const runs = await session.client.list({ limit: options.limit });
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
