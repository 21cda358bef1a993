import { CairnClient } from '@cairn/core';
import { taskQueue } from '@cairn/core/config';
import { blobStoreFromEnvironment, encryptedAtRest, sharedBlobStoreConfigured, type BlobStore, type BlobStoreSetting } from '@cairn/core/blob-stores';
import { connectToTemporal, isEmbedded } from '@cairn/core/temporal';
import type { Connection } from '@temporalio/client';
import { Client } from '@temporalio/client';
import { ensureServer, ensureWorker, runningServer, type ServerRecord, type StackBringUp } from './stack.ts';
import { cairnDataConverter } from '@cairn/core/encryption';
import { stackEncryption } from './encryption.ts';
import { CairnError, isCairnError } from '@cairn/core';
import { dim } from './print.ts';

export interface Session {
  client: CairnClient;
  /** The Temporal client under it, with the same data converter. */
  temporal: Client;
  connection: Connection;
  address: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Embedded mode only: start the server and a worker when they are not running (or await `early`, which began that). */
  bringUp?: { configPath?: string; early?: StackBringUp };
  taskQueue?: string;
  /** The config's `blobStore`, when the command has loaded a config: the store its worker uses. */
  blobStore?: BlobStoreSetting | BlobStore;
  /** Progress lines go to stderr so that --json output stays clean. */
  log?: (line: string) => void;
}

/**
 * Connects to Temporal: the cluster TEMPORAL_ADDRESS names, or else the
 * embedded server (started here first when `bringUp` is given).
 */
export async function openSession(options: SessionOptions = {}): Promise<Session> {
  const log = options.log ?? ((line: string) => console.error(dim(line)));
  const embedded = isEmbedded();
  let server: ServerRecord | undefined;
  let uiBaseUrl = process.env.TEMPORAL_UI_URL;
  const connect = (record: ServerRecord | undefined) =>
    connectToTemporal({ address: record?.address }).catch((error: unknown) => {
      throw withModeHint(error, record);
    });
  let connecting: ReturnType<typeof connect> | undefined;
  if (embedded) {
    if (options.bringUp) {
      const { configPath, early } = options.bringUp;
      const serverUp = early?.server ?? ensureServer(log).then(({ record }) => record);
      // Connected while the worker finishes starting: the run starts the moment it is ready.
      connecting = serverUp.then(connect);
      connecting.catch(() => {});
      // Both at once: the worker takes seconds to load and waits for the server by itself.
      try {
        [server] = await Promise.all([serverUp, (early?.worker ?? Promise.resolve()).then(() => ensureWorker(configPath, log, taskQueue(options.taskQueue)))]);
      } catch (error) {
        // An open connection would keep the command from exiting with its error.
        void connecting.then(({ connection }) => connection.close()).catch(() => {});
        throw error;
      }
    } else {
      server = runningServer();
    }
    if (!server) {
      throw new CairnError('The embedded Temporal server is not running.', { hint: "Start it with 'cairn up', or set TEMPORAL_ADDRESS to use a cluster." });
    }
    uiBaseUrl ??= server.uiUrl;
  }
  const { connection, namespace, address: connected } = await (connecting ?? connect(server));
  const encryption = stackEncryption(embedded);
  const dataConverter = cairnDataConverter(encryption);
  const temporal = new Client({ connection, namespace, ...(dataConverter ? { dataConverter } : {}) });
  return {
    temporal,
    // The embedded worker's blob store is the one this shell names; on a cluster, only a store named here is known to be the workers'.
    client: new CairnClient(temporal, {
      taskQueue: taskQueue(options.taskQueue),
      uiBaseUrl,
      blobs: embedded || sharedBlobStoreConfigured() || options.blobStore ? encryptedAtRest(blobStoreFromEnvironment(options.blobStore), encryption) : undefined,
    }),
    connection,
    address: connected,
    embedded,
    close: () => connection.close(),
  };
}

/**
 * The core's unreachable-server hint suggests 'cairn up', which is right only when
 * nothing is running: say what to do in the mode the CLI is actually in.
 */
export function withModeHint(error: unknown, server: ServerRecord | undefined): unknown {
  if (!isCairnError(error) || error.name !== 'ServerUnreachableError') return error;
  const hint = server
    ? `The embedded server (pid ${server.pid}) does not answer: see ${server.logFile}, or restart it with 'cairn down' then 'cairn up'.`
    : 'Check TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TLS, API key) and that the cluster is up; unset TEMPORAL_ADDRESS to use the embedded server.';
  const replaced = new CairnError(error.message, { hint, cause: error.cause });
  replaced.name = error.name;
  return replaced;
}
