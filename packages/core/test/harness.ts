/**
 * Test wiring: a worker on the shared test Temporal server, model calls going
 * to a mock model server through the real SDK clients, and a Cairn client.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { MockModelServer } from '@cairn/testing';
import { CairnClient, type AgentDefinition } from '../src/index.ts';
import { resolveModel } from '../src/providers/registry.ts';
import { FileBlobStore } from '../src/transcript/blob-store.ts';
import { createCairnWorker } from '../src/worker/index.ts';

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
  stop(): Promise<void>;
}

let queues = 0;

// Once per process: the SDK's info logs would bury the test output.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // Already installed by another test file in this process.
}

export async function startTestStack(options: { agents: AgentDefinition[]; mock: MockModelServer; taskQueue?: string; blobDir?: string }): Promise<TestStack> {
  const address = inject('temporalAddress');
  const taskQueue = options.taskQueue ?? `test-${process.pid}-${Date.now().toString(36)}-${queues++}`;
  const blobDir = options.blobDir ?? mkdtempSync(join(tmpdir(), 'cairn-blobs-'));
  const env = mockModelEnv(options.mock);
  const startWorker = async () => {
    const nativeConnection = await NativeConnection.connect({ address });
    const worker = await createCairnWorker({
      config: { agents: options.agents },
      connection: nativeConnection,
      taskQueue,
      blobs: new FileBlobStore(blobDir),
      resolveModel: (model) => resolveModel(model, env),
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
  const temporal = new Client({ connection });
  const stack: TestStack = {
    client: new CairnClient(temporal, { taskQueue }),
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
    async stop() {
      await stack.stopWorker();
      await connection.close();
    },
  };
  return stack;
}
