import { taskQueue as resolveTaskQueue } from '@cairn/core/config';
import { connectToTemporal, isEmbedded } from '@cairn/core/temporal';
import { isCairnError } from '@cairn/core';
import { redact } from '@cairn/core/internals';
import { loadCliConfig } from '../config.ts';
import { runningServer } from '../stack.ts';
import { dim, green, printJson, red, yellow } from '../print.ts';
import { checkBlobStore, checkEncryption, checkModels, checkNamespace, checkPollers, checkSearchAttributes, type CheckResult, type DoctorContext } from '../doctor/checks.ts';

export interface DoctorOptions {
  config?: string;
  taskQueue?: string;
  callModel?: boolean;
  json?: boolean;
}

/** `cairn doctor`: one line per check, each with what to do when it fails; exit 1 when any fails. */
export async function doctorCommand(options: DoctorOptions): Promise<number> {
  const { config } = await loadCliConfig(options.config);
  const embedded = isEmbedded();
  const context: DoctorContext = { config, embedded, taskQueue: resolveTaskQueue(options.taskQueue ?? config.taskQueue), callModels: options.callModel === true };
  const results: CheckResult[] = [];
  const connected = await connect(embedded);
  results.push(connected.result);
  context.temporal = connected.temporal;
  try {
    results.push(await checkNamespace(context), await checkSearchAttributes(context), await checkPollers(context), await checkBlobStore(context), checkEncryption(context), ...(await checkModels(context)));
  } finally {
    await connected.temporal?.connection.close();
  }
  if (options.json) printJson(results);
  else print(results);
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}

async function connect(embedded: boolean): Promise<{ result: CheckResult; temporal?: DoctorContext['temporal'] }> {
  const check = 'Temporal';
  let address: string | undefined;
  if (embedded) {
    const server = runningServer();
    if (!server) return { result: { check, status: 'fail', verdict: 'the embedded server is not running (TEMPORAL_ADDRESS is unset)', fix: "Start it with 'cairn up', or set TEMPORAL_ADDRESS to use a cluster." } };
    address = server.address;
  }
  try {
    const temporal = await connectToTemporal({ address, connectTimeoutMs: 5_000 });
    await temporal.connection.workflowService.getSystemInfo({});
    return { result: { check, status: 'ok', verdict: `${temporal.address} answers${embedded ? ' (embedded)' : ''}` }, temporal };
  } catch (error) {
    return { result: { check, status: 'fail', verdict: redact((error as Error).message), fix: isCairnError(error) ? error.hint : 'Check TEMPORAL_ADDRESS and the connection settings.' } };
  }
}

function print(results: CheckResult[]): void {
  const width = Math.max(...results.map((result) => result.check.length));
  for (const { check, status, verdict, fix } of results) {
    const mark = status === 'ok' ? green('✓') : status === 'warn' ? yellow('!') : status === 'skip' ? dim('-') : red('✗');
    console.log(`${mark} ${check.padEnd(width)}  ${verdict}`);
    if (fix && status !== 'ok') console.log(`  ${' '.repeat(width)}  ${dim(`fix: ${fix}`)}`);
  }
  const failed = results.filter((result) => result.status === 'fail').length;
  console.log(failed === 0 ? `\n${green('All checks passed.')}` : `\n${red(`${failed} check${failed === 1 ? '' : 's'} failed.`)}`);
}
