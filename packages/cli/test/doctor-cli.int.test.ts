/**
 * `cairn doctor` as an operator runs it against a cluster: the shared test
 * server, a worker on a task queue, a PostgreSQL blob store, a model server.
 * Each broken piece shows as one failed line with its fix, and the exit code
 * says whether anything failed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, mockModelEnv, startPostgres, startTestStack, type PostgresServer, type TestStack } from '@cairn/testing';
import { defineAgent } from '@cairn/core';
import { runCli } from './cli-process.ts';

interface CheckLine {
  check: string;
  status: 'ok' | 'warn' | 'fail';
  verdict: string;
  fix?: string;
}

describe('cairn doctor', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let postgres: PostgresServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  const doctor = async (extra: NodeJS.ProcessEnv = {}, ...args: string[]) => {
    const { code, stdout, stderr } = await runCli(['doctor', '--config', join(import.meta.dirname, 'fixtures', 'doctor.config.ts'), '--json', ...args], { ...env, ...extra });
    expect(stderr).toBe('');
    const checks = JSON.parse(stdout) as CheckLine[];
    return { code, byName: Object.fromEntries(checks.map((line) => [line.check, line])) };
  };

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(() => ({ text: 'OK' }));
    postgres = await startPostgres();
    const agent = defineAgent({ name: 'helper', model: 'openai:gpt-test', instructions: 'Help.' });
    stack = await startTestStack({ agents: [agent], mock, blobStore: postgres.url });
    env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-doctor-')),
      CAIRN_BLOB_STORE: postgres.url,
      CAIRN_TASK_QUEUE: stack.taskQueue,
      CAIRN_ENCRYPTION_KEYS: `ops-1:${Buffer.alloc(32, 7).toString('base64')}`,
      ...mockModelEnv(mock),
      NO_COLOR: '1',
    };
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
    await postgres?.stop();
  });

  it('passes every check on a working set-up, with a tiny real call to each model', async () => {
    const { code, byName } = await doctor({}, '--call-model');
    expect(byName['Temporal']).toMatchObject({ status: 'ok', verdict: `${inject('temporalAddress')} answers` });
    expect(byName['namespace']).toMatchObject({ status: 'ok', verdict: "'default' exists" });
    expect(byName['search attributes']).toMatchObject({ status: 'ok' });
    expect(byName['workers']).toMatchObject({ status: 'ok', verdict: `1 polling task queue '${stack.taskQueue}'` });
    expect(byName['blob store']).toMatchObject({ status: 'ok', verdict: `the PostgreSQL blob store postgres://cairn@127.0.0.1:${postgres.port}/postgres: written and read back` });
    expect(byName['codec key']?.verdict).toMatch(/^history encrypted with key 'ops-1' \(1 key held; plain payloads still read\)$/);
    expect(byName['model openai:gpt-doctor']).toMatchObject({ status: 'ok' });
    expect(byName['model openai:gpt-doctor']!.verdict).toMatch(/^answered a tiny call in \d+ ms$/);
    expect(mock.requests.some((request) => request.model === 'gpt-doctor')).toBe(true);
    expect(code).toBe(0);
  });

  it('fails, with the fix, on a blob store that refuses, a task queue nobody polls, a bad key and a model server that refuses', async () => {
    const wrongPassword = new URL(postgres.url);
    wrongPassword.password = 'not-the-password';
    mock.handle(() => ({ fault: { kind: 'unauthorized', echoKey: true } }));
    const { code, byName } = await doctor({ CAIRN_BLOB_STORE: wrongPassword.href, CAIRN_TASK_QUEUE: 'nobody-polls-this', CAIRN_ENCRYPTION_KEYS: 'ops-1:too-short' }, '--call-model');
    mock.handle(() => ({ text: 'OK' }));
    expect(code).toBe(1);
    expect(byName['Temporal']).toMatchObject({ status: 'ok' });
    expect(byName['blob store']).toMatchObject({ status: 'fail' });
    expect(byName['blob store']!.verdict).toContain('password authentication failed');
    expect(JSON.stringify(byName)).not.toContain('not-the-password');
    expect(byName['blob store']!.fix).toContain('CAIRN_BLOB_STORE');
    expect(byName['workers']).toMatchObject({ status: 'fail', fix: "Start one with 'cairn worker --task-queue nobody-polls-this'." });
    expect(byName['codec key']).toMatchObject({ status: 'fail' });
    expect(byName['codec key']!.verdict).toContain('CAIRN_ENCRYPTION_KEYS');
    expect(byName['model openai:gpt-doctor']).toMatchObject({ status: 'fail' });
    expect(byName['model openai:gpt-doctor']!.verdict).toMatch(/^a tiny call failed: /);
    // The key the server quoted back is not printed.
    expect(byName['model openai:gpt-doctor']!.verdict).not.toContain('test-key');
  });

  it('says a missing key is for the workers to hold on a cluster, and the embedded server that is not running', async () => {
    const cluster = await doctor({ OPENAI_API_KEY: '', OPENAI_BASE_URL: '' });
    expect(cluster.byName['model openai:gpt-doctor']).toMatchObject({ status: 'warn' });
    expect(cluster.byName['model openai:gpt-doctor']!.verdict).toContain('workers have their own environment');
    expect(cluster.code).toBe(0);

    const embedded = await doctor({ TEMPORAL_ADDRESS: '' });
    expect(embedded.byName['Temporal']).toMatchObject({ status: 'fail', fix: "Start it with 'cairn up', or set TEMPORAL_ADDRESS to use a cluster." });
    // What needs the server is not checked, rather than failed once more.
    expect(embedded.byName['workers']).toMatchObject({ status: 'skip', verdict: 'not checked: Temporal cannot be reached' });
    expect(embedded.code).toBe(1);
  });
});
