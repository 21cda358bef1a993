import { taskQueue as resolveTaskQueue } from '@cairn/core/config';
import { ensureSearchAttributes, isEmbedded, loadConnectionOptions } from '@cairn/core/temporal';
import { createCairnWorker, loadWorkflowBundle } from '@cairn/core/worker';
import { blobStoreFromEnvironment } from '@cairn/core/blob-stores';
import { NativeConnection, Runtime, DefaultLogger } from '@temporalio/worker';
import { CairnError, ServerUnreachableError } from '@cairn/core/errors';
import { loadCliConfig } from '../config.ts';
import { ensureServer } from '../stack.ts';
import { withModeHint } from '../session.ts';
import { requireEncryptionOnceOldRunsClosed, stackEncryption } from '../encryption.ts';
import { dim } from '../print.ts';

function positiveIntegerFromEnvironment(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new CairnError(`${name} is '${value}', not a positive whole number.`, { hint: `Set ${name} to the number of model and tool calls a worker may run at once, such as 200, or unset it.` });
  return parsed;
}

/** `cairn worker`: serves the config's agents in the foreground until Ctrl-C or SIGTERM. */
export async function workerCommand(options: { config?: string; taskQueue?: string; maxConcurrentActivities?: number }): Promise<void> {
  const maxConcurrentActivities = options.maxConcurrentActivities ?? positiveIntegerFromEnvironment('CAIRN_MAX_CONCURRENT_ACTIVITIES');
  const { config, path } = await loadCliConfig(options.config);
  Runtime.install({ logger: new DefaultLogger((process.env.CAIRN_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN') });

  const settings = loadConnectionOptions();
  const embedded = isEmbedded();
  const configured = stackEncryption(embedded);
  // Read from the cache (or built) while the server comes up; createCairnWorker gets it at once.
  loadWorkflowBundle(config, configured).catch(() => {});
  const server = embedded ? (await ensureServer((line) => console.error(dim(line)))).record : undefined;
  const address = server?.address ?? settings.address;
  let connection: NativeConnection;
  try {
    connection = await NativeConnection.connect({ ...settings.connectionOptions, address });
  } catch (error) {
    throw withModeHint(new ServerUnreachableError(address, error), server);
  }
  // Checked while the worker is created: the dev server registers them itself, a cluster may lack them.
  const searchAttributes = ensureSearchAttributes(connection, settings.namespace).catch(() => []);

  const encryption = configured && (await requireEncryptionOnceOldRunsClosed(configured, connection, settings.namespace));
  const taskQueue = resolveTaskQueue(options.taskQueue ?? config.taskQueue);
  // OpenTelemetry's SDK loads only when an endpoint is set; tracingFromEnvironment decides the rest.
  const tracing = process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? (await import('@cairn/core/telemetry')).tracingFromEnvironment() : undefined;
  // Opened here once, so the ready line names the store the worker uses.
  const blobs = blobStoreFromEnvironment(config.blobStore);
  const worker = await createCairnWorker({
    config,
    blobs,
    connection,
    namespace: settings.namespace,
    taskQueue,
    ...(maxConcurrentActivities ? { maxConcurrentActivities } : {}),
    ...(tracing ? { tracing } : {}),
    ...(encryption ? { encryption } : {}),
  });
  const added = await searchAttributes;
  if (added.length > 0) console.log(dim(`Registered search attributes: ${added.join(', ')}`));
  console.log(
    `Worker ready: task queue '${taskQueue}' on ${address}, agents: ${config.agents.map((agent) => agent.name).join(', ')}${path ? ` (from ${path})` : ' (built-in)'}; blobs in ${blobs.description ?? 'a blob store of the config'}` +
      (encryption ? `; history and blobs encrypted with key '${encryption.keys[0]!.id}'` : '') +
      `; build ${worker.options.workerDeploymentOptions?.version.buildId ?? 'unnamed'}`,
  );
  try {
    await worker.run();
  } finally {
    await tracing?.shutdown();
    await connection.close();
  }
}
