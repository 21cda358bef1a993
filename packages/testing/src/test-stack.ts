/**
 * A Cairn stack for tests: a worker serving your agents on a real Temporal
 * server, its model calls going to a `MockModelServer` through the real SDK
 * clients, and a `CairnClient` to start and inspect runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { CairnClient, CairnError, type AgentDefinition, type CairnConfig, type PriceTable } from '@cairn/core';
import { ProviderRegistry } from '@cairn/core/internals';
import { FileBlobStore, encryptedAtRest, openBlobStore, type BlobStoreSetting } from '@cairn/core/blob-stores';
import { createCairnWorker, type CairnWorkerOptions } from '@cairn/core/worker';
import { cairnDataConverter, type EncryptionSettings } from '@cairn/core/encryption';
import type { MockModelServer } from './mock-model-server.ts';

export function mockModelEnv(mock: MockModelServer): Record<string, string> {
  return {
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: mock.openaiBaseUrl,
    ANTHROPIC_API_KEY: 'test-key',
    ANTHROPIC_BASE_URL: mock.anthropicBaseUrl,
  };
}

export interface TestStack {
  client: CairnClient;
  temporal: Client;
  taskQueue: string;
  blobDir: string;
  worker: Worker;
  /** Stops the worker alone, as when every worker process is down; the client stays connected. */
  stopWorker(): Promise<void>;
  /** Starts a fresh worker on the same task queue and blob store. */
  restartWorker(): Promise<void>;
  /** Replaces the worker with one of a new build: other agents (a fixed tool, say) and its build id. */
  deploy(build: { agents?: AgentDefinition[]; buildId?: string }): Promise<void>;
  stop(): Promise<void>;
}

let queues = 0;

// Once per process: the SDK's info logs would bury the test output.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by another test file in this process.
}

export interface TestStackOptions {
  agents: AgentDefinition[];
  mock: MockModelServer;
  /** Model prices over the providers' own, as in defineConfig. */
  prices?: PriceTable;
  /** Providers of your own, as in defineConfig; they read their settings from this process's environment. */
  providers?: CairnConfig['providers'];
  /** Workflow modules of your own, as in defineConfig. */
  workflowModules?: string[];
  /** Their activities, as in defineConfig. */
  activities?: CairnConfig['activities'];
  /** Temporal server address. Default: CAIRN_TEST_TEMPORAL_ADDRESS (set by Cairn's vitest global setup). */
  address?: string;
  /** Default: a fresh queue per stack, so tests never steal each other's tasks. */
  taskQueue?: string;
  /** Default: a fresh temporary directory. */
  blobDir?: string;
  /**
   * A shared store (`postgres://…`, `s3://…`) instead of the folder. Each worker
   * the stack starts opens its own connection to it, as workers on different
   * machines would, and holds nothing of the last one's caches.
   */
  blobStore?: BlobStoreSetting;
  /** Spans for the stack's runs, as in `createCairnWorker`. */
  tracing?: CairnWorkerOptions['tracing'];
  /** Receives the run events of the stack's runs. */
  onRunEvent?: CairnWorkerOptions['onRunEvent'];
  /** Encrypts the stack's history, as in `createCairnWorker`; the stack's client holds the same keys. */
  encryption?: EncryptionSettings;
  /** The worker's build id, as in `createCairnWorker`. */
  buildId?: string;
  /** Agents other namespaces may run through Nexus, as in defineConfig. */
  nexus?: CairnConfig['nexus'];
  /** Default `default`. A namespace of its own keeps a test's runs apart from every other test's (`cairn stats` counts them all). */
  namespace?: string;
}

export async function startTestStack(options: TestStackOptions): Promise<TestStack> {
  const address = options.address ?? process.env.CAIRN_TEST_TEMPORAL_ADDRESS;
  if (!address) {
    throw new CairnError('startTestStack needs a Temporal server address.', {
      hint: 'Pass { address }, or set CAIRN_TEST_TEMPORAL_ADDRESS (for example to a `temporal server start-dev` you started).',
    });
  }
  const taskQueue = options.taskQueue ?? `test-${process.pid}-${Date.now().toString(36)}-${queues++}`;
  const blobDir = options.blobDir ?? mkdtempSync(join(tmpdir(), 'cairn-blobs-'));
  // The mock's addresses and keys win over this process's, so no real provider is ever called.
  const env = { ...process.env, ...mockModelEnv(options.mock) };
  const providers = new ProviderRegistry(options.providers);
  const openStore = () => (options.blobStore ? openBlobStore(options.blobStore) : new FileBlobStore(blobDir));
  let build = { agents: options.agents, buildId: options.buildId };
  const startWorker = async () => {
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await createCairnWorker({
      config: { agents: build.agents, prices: options.prices, providers: options.providers, workflowModules: options.workflowModules, activities: options.activities, ...(options.nexus ? { nexus: options.nexus } : {}) },
      ...(build.buildId ? { buildId: build.buildId } : {}),
      connection: nativeConnection,
      ...(options.namespace ? { namespace: options.namespace } : {}),
      taskQueue,
      blobs: openStore(),
      resolveModel: (model) => providers.resolve(model, env),
      ...(options.tracing ? { tracing: options.tracing } : {}),
      ...(options.onRunEvent ? { onRunEvent: options.onRunEvent } : {}),
      ...(options.encryption ? { encryption: options.encryption } : {}),
    });
    const running = worker.run();
    return {
      worker,
      async stop() {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
        await nativeConnection.close();
      },
    };
  };
  let current: Awaited<ReturnType<typeof startWorker>> | undefined = await startWorker();
  const connection = await Connection.connect({ address });
  const dataConverter = cairnDataConverter(options.encryption);
  const temporal = new Client({ connection, ...(options.namespace ? { namespace: options.namespace } : {}), ...(dataConverter ? { dataConverter } : {}) });
  const stack: TestStack = {
    client: new CairnClient(temporal, { taskQueue, blobs: encryptedAtRest(openStore(), options.encryption) }),
    temporal,
    taskQueue,
    blobDir,
    worker: current.worker,
    async stopWorker() {
      await current?.stop();
      current = undefined;
    },
    async restartWorker() {
      await stack.stopWorker();
      current = await startWorker();
      stack.worker = current.worker;
    },
    async deploy(next) {
      build = { agents: next.agents ?? build.agents, buildId: next.buildId };
      await stack.restartWorker();
    },
    async stop() {
      await stack.stopWorker();
      await connection.close();
    },
  };
  return stack;
}
