import { CairnClient } from '@cairn/core';
import { taskQueue } from '@cairn/core/config';
import { connectToTemporal, isEmbedded } from '@cairn/core/temporal';
import type { Connection } from '@temporalio/client';
import { Client } from '@temporalio/client';
import { ensureServer, ensureWorker, runningServer } from './stack.ts';
import { CairnError } from '@cairn/core';
import { dim } from './print.ts';

export interface Session {
  client: CairnClient;
  connection: Connection;
  address: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Embedded mode only: start the server and a worker when they are not running. */
  bringUp?: { configPath?: string };
  taskQueue?: string;
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
  let address: string | undefined;
  let uiBaseUrl = process.env.TEMPORAL_UI_URL;
  if (embedded) {
    const server = options.bringUp ? (await ensureServer(log)).record : runningServer();
    if (!server) {
      throw new CairnError('The embedded Temporal server is not running.', { hint: "Start it with 'cairn up', or set TEMPORAL_ADDRESS to use a cluster." });
    }
    if (options.bringUp) await ensureWorker(options.bringUp.configPath, log);
    address = server.address;
    uiBaseUrl ??= server.uiUrl;
  }
  const { connection, namespace, address: connected } = await connectToTemporal({ address });
  const temporal = new Client({ connection, namespace });
  return {
    client: new CairnClient(temporal, { taskQueue: taskQueue(options.taskQueue), uiBaseUrl }),
    connection,
    address: connected,
    embedded,
    close: () => connection.close(),
  };
}
