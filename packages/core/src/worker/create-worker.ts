import { join } from 'node:path';
import { NativeConnection, Runtime, Worker, type InjectedSinks } from '@temporalio/worker';
import type { RunTracerOptions } from '../telemetry/run-tracer.ts';
import type { CairnSinks, RunEventEnvelope } from '../workflow/run-event-sink.ts';
import { createActivities } from '../activities/index.ts';
import type { ModelResolver } from '../activities/call-model.ts';
import { AgentRegistry } from '../agent/agent-registry.ts';
import { InvalidDefinitionError } from '../errors.ts';
import type { CairnConfig } from '../config/define-config.ts';
import { cairnHome, taskQueue as defaultTaskQueue } from '../config/paths.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { blobStoreFromEnvironment, encryptedAtRest } from '../blob-stores/open-blob-store.ts';
import { withRunEventsUnwatched, workflowBundle } from './workflow-bundle.ts';
import { cairnDeploymentName, workerBuildId } from './build-id.ts';
import { cairnDataConverter } from '../encryption/data-converter.ts';
import type { EncryptionSettings } from '../encryption/encryption-keys.ts';
import { McpConnections } from '../mcp/mcp-connections.ts';
import { cairnAgentServiceHandler } from '../nexus/agent-service-handler.ts';

export interface CairnWorkerOptions {
  config: CairnConfig;
  connection: NativeConnection;
  namespace?: string;
  taskQueue?: string;
  /** Where transcripts and tool results live. Default: CAIRN_BLOB_STORE, else the config's `blobStore`, else a folder under CAIRN_HOME. */
  blobs?: BlobStore;
  /** How `provider:model` ids become clients. Default: from the environment (API keys, base URLs). */
  resolveModel?: ModelResolver;
  /** Tool and model calls in flight at once on this worker. Default 100 (the Temporal SDK's). */
  maxConcurrentActivities?: number;
  /** Spans for every run this worker serves (`telemetry/run-tracer.ts`), e.g. from `tracingFromEnvironment()`. */
  tracing?: Pick<RunTracerOptions, 'processor' | 'resource' | 'captureContent'>;
  /** Receives every run event of this worker's runs, once: never while a history is replayed. */
  onRunEvent?: (envelope: RunEventEnvelope) => void;
  /** The build id recorded on every workflow task this worker completes. Default: `workerBuildId(config, bundle)`. */
  buildId?: string;
  /** Encrypts everything this worker writes to history (`encryption/`) and to Cairn's blob stores; clients of its runs need the same keys. */
  encryption?: EncryptionSettings;
}

/** A Temporal worker that serves the config's agents. Call `run()` on it. */
export async function createCairnWorker(options: CairnWorkerOptions): Promise<Worker> {
  const agents = new AgentRegistry(options.config.agents);
  const providers = new ProviderRegistry(options.config.providers);
  // An agent on a provider nobody defined fails here, at start-up, not in its first run.
  for (const name of agents.names) providers.checkModelId(agents.get(name).spec.model, `Agent '${name}'`);
  // At rest too: what stays out of history is sealed with the keys that seal history.
  const blobs = encryptedAtRest(options.blobs ?? blobStoreFromEnvironment(options.config.blobStore), options.encryption);
  const mcp = new McpConnections();
  const cairnActivities = createActivities({
    mcp,
    agents,
    prices: options.config.prices,
    contextWindows: options.config.contextWindows,
    blobs,
    providers,
    resolveModel: options.resolveModel ?? ((model) => providers.resolve(model)),
  });
  const jobActivities = options.config.activities?.({ blobs }) ?? {};
  const clashes = Object.keys(jobActivities).filter((name) => name in cairnActivities);
  if (clashes.length > 0) {
    throw new InvalidDefinitionError(`The config's activities ${clashes.map((name) => `'${name}'`).join(', ')} have the names of Cairn's own: rename them.`);
  }
  const dataConverter = cairnDataConverter(options.encryption);
  // OpenTelemetry's SDK loads only for a worker that traces.
  const tracer = options.tracing ? new (await import('../telemetry/run-tracer.ts')).RunTracer(options.tracing) : undefined;
  const workflowBundle = await loadWorkflowBundle(options.config, options.encryption);
  const buildId = options.buildId ?? workerBuildId(options.config, workflowBundle.code);
  const subscribers = [tracer?.handle, options.onRunEvent].filter((subscriber) => subscriber !== undefined);
  const queue = options.taskQueue ?? defaultTaskQueue(options.config.taskQueue);
  const exposed = options.config.nexus?.agents ?? [];
  const worker = await Worker.create({
    connection: options.connection,
    namespace: options.namespace ?? 'default',
    taskQueue: queue,
    // The same workflow code (and build id) either way; a worker nobody watches tells its runs to keep their events.
    workflowBundle: subscribers.length > 0 ? workflowBundle : withRunEventsUnwatched(workflowBundle),
    ...(exposed.length > 0 ? { nexusServices: [cairnAgentServiceHandler(agents, exposed, queue)] } : {}),
    // Recorded in history on each workflow task; without versioning, any worker still takes any task.
    workerDeploymentOptions: { version: { deploymentName: cairnDeploymentName, buildId }, useWorkerVersioning: false },
    ...(dataConverter ? { dataConverter } : {}),
    activities: { ...jobActivities, ...cairnActivities },
    maxConcurrentActivityTaskExecutions: options.maxConcurrentActivities ?? 100,
    // A streaming model call publishes its text in its heartbeats: at most a second behind. Other
    // activities heartbeat every third of their timeout, so this costs them nothing.
    maxHeartbeatThrottleInterval: '1s',
    sinks: runEventSinks(subscribers),
  });
  // The MCP servers it started (stdio) stop with it.
  const run = worker.run.bind(worker);
  worker.run = async () => {
    try {
      await run();
    } finally {
      await mcp.close();
    }
  };
  // A resolver of the caller's own may not use Cairn's providers at all.
  if (!options.resolveModel) void providers.preloadSdks(agents.names.map((name) => agents.get(name).spec.model)).catch(() => {});
  return worker;
}

/**
 * The workflow code a worker for this config runs, read from the bundle cache (or built):
 * a worker may call this early, while it waits for the server, and `createCairnWorker` then
 * gets the same bundle at once.
 */
export function loadWorkflowBundle(config: Pick<CairnConfig, 'workflowModules'>, encryption?: EncryptionSettings): Promise<{ code: string }> {
  return workflowBundle(join(cairnHome(), 'bundles'), config.workflowModules, { failureConverterPath: cairnDataConverter(encryption)?.failureConverterPath });
}

/** The `cairn.runEvent` sink the agent workflow calls; a failing subscriber is logged, never fails the workflow. */
function runEventSinks(subscribers: ((envelope: RunEventEnvelope) => void)[]): InjectedSinks<CairnSinks> {
  return {
    cairn: {
      runEvent: {
        fn: (_info, envelope) => {
          for (const subscriber of subscribers) {
            try {
              subscriber(envelope);
            } catch (error) {
              Runtime.instance().logger.warn(`A run event subscriber failed: ${(error as Error).message}`, { runId: envelope.run.runId, event: envelope.event.type });
            }
          }
        },
        callDuringReplay: false,
      },
    },
  };
}
