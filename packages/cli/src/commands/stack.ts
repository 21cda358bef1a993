import { isEmbedded } from '@cairn/core/temporal';
import { CairnError } from '@cairn/core';
import { taskQueue } from '@cairn/core/config';
import { loadCliConfig } from '../config.ts';
import { ensureServer, ensureWorker, runningServer, runningWorker, serverAnswers, stopServer, stopWorker } from '../stack.ts';
import { dim, green, printJson } from '../print.ts';

const log = (line: string) => console.error(dim(line));

function requireEmbedded(command: string): void {
  if (!isEmbedded()) {
    throw new CairnError(`'cairn ${command}' manages the embedded server, but TEMPORAL_ADDRESS points at a cluster.`, {
      hint: "Unset TEMPORAL_ADDRESS to use the embedded server, or run workers with 'cairn worker'.",
    });
  }
}

/** `cairn up`: the embedded server and a worker, both in the background. */
export async function upCommand(options: { config?: string }): Promise<number> {
  requireEmbedded('up');
  const { config, path } = await loadCliConfig(options.config);
  // Both at once: the worker takes seconds to load and waits for the server by itself.
  const [server, worker] = await Promise.all([ensureServer(log), ensureWorker(path, log, taskQueue(config.taskQueue))]);
  console.log(`${green('✓')} Temporal server ${server.record.address}${server.started ? '' : ' (already running)'}`);
  if (server.record.uiUrl) console.log(`  Web UI ${server.record.uiUrl}`);
  console.log(`${green('✓')} Worker pid ${worker.record.pid}${worker.started ? '' : ' (already running)'}, log ${worker.record.logFile}`);
  return 0;
}

/** `cairn down` */
export async function downCommand(): Promise<number> {
  const worker = await stopWorker();
  const server = await stopServer();
  console.log(worker ? `Stopped the worker (pid ${worker.pid}).` : 'No worker was running.');
  console.log(server ? `Stopped the Temporal server (pid ${server.pid}).` : 'No Temporal server was running.');
  return 0;
}

export async function serverStartCommand(): Promise<number> {
  requireEmbedded('server start');
  const { record, started } = await ensureServer(log);
  console.log(`${green('✓')} Temporal server ${record.address}${started ? '' : ' (already running)'} · data ${record.dbFile}`);
  if (record.uiUrl) console.log(`  Web UI ${record.uiUrl}`);
  return 0;
}

export async function serverStopCommand(): Promise<number> {
  const record = await stopServer();
  console.log(record ? `Stopped the Temporal server (pid ${record.pid}).` : 'No Temporal server was running.');
  return 0;
}

export async function serverStatusCommand(options: { json?: boolean }): Promise<number> {
  const server = runningServer();
  const worker = runningWorker();
  const answering = server ? await serverAnswers(server) : false;
  if (options.json) {
    printJson({ server: server ? { ...server, answering } : null, worker: worker ?? null });
  } else {
    console.log(server ? `server  running, pid ${server.pid}, ${server.address}${answering ? '' : ' (not answering)'}${server.uiUrl ? `, UI ${server.uiUrl}` : ''}` : 'server  stopped');
    console.log(worker ? `worker  running, pid ${worker.pid}, log ${worker.logFile}` : 'worker  stopped');
  }
  return server && answering ? 0 : 1;
}
