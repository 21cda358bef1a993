import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { isCairnError } from '@cairn/core';
// Brings in the `inject('temporalAddress')` type (test/ is outside the tsconfig include).
import type {} from '../../../test/global-setup.ts';
import { CairnSearchAttributes, connectToTemporal, isEmbedded, loadConnectionOptions } from '@cairn/core/temporal';
import { ensureTemporalBinary, startDevServer, type DevServer } from '../src/index.ts';

let dir: string;
let binary: string;
const servers: DevServer[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cairn-dev-server-'));
  binary = await ensureTemporalBinary();
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.stop()));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startDevServer>[0]): Promise<DevServer> {
  const server = await startDevServer({ binary, ...options });
  servers.push(server);
  return server;
}

describe('the embedded Temporal dev server', () => {
  it('registers Cairn search attributes and keeps workflows across a restart on the same SQLite file', async () => {
    const dbFile = join(dir, 'state', 'temporal.db');
    const first = await start({ dbFile, uiPort: false });
    expect(first.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(first.uiUrl).toBeUndefined();

    const connection = await Connection.connect({ address: first.address });
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    const registered = Object.keys(customAttributes ?? {});
    for (const key of Object.values(CairnSearchAttributes)) expect(registered).toContain(key.name);

    // No worker serves this workflow type, so the run simply stays open.
    const client = new Client({ connection, namespace: 'default' });
    const handle = await client.workflow.start('nobodyServesThisWorkflow', {
      taskQueue: 'cairn-test-no-worker',
      workflowId: 'persisted-run',
      args: [],
      typedSearchAttributes: [{ key: CairnSearchAttributes.agent, value: 'researcher' }],
    });
    await connection.close();
    await first.stop();
    servers.splice(servers.indexOf(first), 1);

    const second = await start({ dbFile, uiPort: false });
    const again = await Connection.connect({ address: second.address });
    try {
      const description = await new Client({ connection: again }).workflow.getHandle('persisted-run').describe();
      expect(description.runId).toBe(handle.firstExecutionRunId);
      expect(description.status.name).toBe('RUNNING');
      expect(description.typedSearchAttributes.get(CairnSearchAttributes.agent)).toBe('researcher');
    } finally {
      await again.close();
    }
  });

  it('serves an extra namespace and the web UI when asked', async () => {
    const server = await start({ namespace: 'cairn-dev' });
    expect(server.namespace).toBe('cairn-dev');
    expect(server.uiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const { connection, namespace } = await connectToTemporal({ address: server.address, namespace: server.namespace });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
      expect(Object.keys(customAttributes ?? {})).toContain('CairnWaitingForHuman');
    } finally {
      await connection.close();
    }
    const response = await fetch(server.uiUrl!);
    expect(response.status).toBe(200);
  });

  it('says which port is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const error = await startDevServer({ binary, port, uiPort: false }).catch((e: unknown) => e);
      expect(isCairnError(error)).toBe(true);
      expect((error as Error).message).toContain(`gRPC port ${port} on 127.0.0.1 is already in use`);
      expect((error as { hint: string }).hint).toContain(`TEMPORAL_ADDRESS=127.0.0.1:${port}`);
    } finally {
      blocker.close();
    }
  });

  it('shows the end of the output of a binary that dies at start', async () => {
    const broken = join(dir, 'broken-temporal');
    writeFileSync(broken, '#!/bin/sh\necho "starting..."\necho "fatal: sqlite: database disk image is malformed" >&2\nexit 2\n');
    chmodSync(broken, 0o755);
    const error = await startDevServer({ binary: broken, uiPort: false }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('DevServerError');
    expect((error as Error).message).toMatch(/exited during start with code 2/);
    expect((error as Error).message).toMatch(/Last lines of its output:\nstarting\.\.\.\nfatal: sqlite: database disk image is malformed/);
  });

  it('gives up on a server that never answers, and stops it', async () => {
    const silent = join(dir, 'silent-temporal');
    writeFileSync(silent, '#!/bin/sh\necho "warming up"\nexec sleep 60\n');
    chmodSync(silent, 0o755);
    const started = Date.now();
    const error = await startDevServer({ binary: silent, uiPort: false, startTimeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((error as Error).message).toMatch(/did not accept connections on 127\.0\.0\.1:\d+ within 2s/);
    expect((error as Error).message).toContain('warming up');
    expect((error as { hint: string }).hint).toMatch(/startTimeoutMs/);
  });

  it('is shared with the whole test run by the global setup', async () => {
    const address = inject('temporalAddress');
    expect(process.env.CAIRN_TEST_TEMPORAL_ADDRESS).toBe(address);
    const { connection } = await connectToTemporal({ address });
    await connection.close();
  });

  it('turns a refused connection into ServerUnreachableError', async () => {
    const error = await connectToTemporal({ address: '127.0.0.1:1', connectTimeoutMs: 1_000 }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('ServerUnreachableError');
    expect((error as Error).message).toBe('Cannot reach the Temporal server at 127.0.0.1:1.');
  });
});

describe('connection settings (Temporal envconfig conventions)', () => {
  it('is embedded when neither TEMPORAL_ADDRESS nor a profile gives an address', () => {
    const env = { TEMPORAL_CONFIG_FILE: join(dir, 'no-such.toml') };
    expect(isEmbedded({ env })).toBe(true);
    expect(loadConnectionOptions({ env })).toEqual({
      address: 'localhost:7233',
      namespace: 'default',
      connectionOptions: { address: 'localhost:7233' },
    });
  });

  it('reads a temporal.toml profile, with TEMPORAL_* variables taking precedence', () => {
    const configFile = join(dir, 'temporal.toml');
    writeFileSync(
      configFile,
      ['[profile.default]', 'address = "temporal.internal:7233"', 'namespace = "research"', '', '[profile.cloud]', 'address = "acme.tmprl.cloud:7233"', 'api_key = "secret"'].join('\n'),
    );
    expect(isEmbedded({ env: { TEMPORAL_CONFIG_FILE: configFile } })).toBe(false);
    expect(loadConnectionOptions({ env: { TEMPORAL_CONFIG_FILE: configFile } })).toMatchObject({
      address: 'temporal.internal:7233',
      namespace: 'research',
    });
    expect(
      loadConnectionOptions({ env: { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_ADDRESS: '10.0.0.5:7233', TEMPORAL_NAMESPACE: 'prod' } }),
    ).toMatchObject({ address: '10.0.0.5:7233', namespace: 'prod' });
    // An API key turns TLS on, as in every Temporal SDK.
    expect(loadConnectionOptions({ env: { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'cloud' } }).connectionOptions).toEqual({
      address: 'acme.tmprl.cloud:7233',
      apiKey: 'secret',
      tls: true,
    });
  });

  it('names a missing profile', () => {
    expect(() => loadConnectionOptions({ env: { TEMPORAL_CONFIG_FILE: join(dir, 'no-such.toml'), TEMPORAL_PROFILE: 'staging' } })).toThrow(
      /Profile 'staging' not found/,
    );
  });
});
