import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, completedActivities, eventually, toolResults, type MockRequest, type ScriptedReply } from '@cairn/testing';
import { CairnClient } from '@cairn/core';
import { startWorkerProcess, type WorkerProcess } from './cli-process.ts';

const config = fileURLToPath(new URL('./fixtures/crash.config.ts', import.meta.url));

/** Turn 1: a quick note. Turn 2 (slow model call): the slow lookup. Turn 3: the answer. */
function script(request: MockRequest): ScriptedReply {
  const done = toolResults(request).length;
  if (done === 0) return { toolCalls: [{ id: 'call_note', name: 'note', arguments: { text: 'started' } }] };
  if (done === 1) return { latencyMs: 1500, toolCalls: [{ id: 'call_slow', name: 'slow_lookup', arguments: { key: 'k1' } }] };
  return { text: `Finished with ${toolResults(request).at(-1)!.content}.` };
}

/**
 * How often each model call completed before the kill was served: exactly once each. A call
 * cut off by the kill may be served again (the worker died before Temporal recorded it).
 */
function servedCompletedCalls(requests: readonly MockRequest[], completedBeforeKill: number): number[] {
  const served = [...servedByConversation(requests).entries()].sort(([a], [b]) => a - b);
  expect(served.every(([, count]) => count >= 1)).toBe(true);
  return served.slice(0, completedBeforeKill).map(([, count]) => count);
}

/** Successful model calls, keyed by the conversation they answered. */
function servedByConversation(requests: readonly MockRequest[]): Map<number, number> {
  const served = new Map<number, number>();
  for (const request of requests) {
    if (request.status === 200) served.set(request.messages.length, (served.get(request.messages.length) ?? 0) + 1);
  }
  return served;
}


// Each `cairn` is a fresh Node process that compiles TypeScript and bundles workflows: slow on a loaded 2-core machine.
describe('a worker killed with SIGKILL in the middle of a run', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let connection: Connection;
  let client: CairnClient;
  let env: NodeJS.ProcessEnv;
  let journal: string;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    mock = await MockModelServer.start();
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
  });
  afterAll(async () => {
    await connection?.close();
    await mock?.close();
  });

  async function freshRun() {
    mock.reset();
    mock.handle(script);
    const home = mkdtempSync(join(tmpdir(), 'cairn-crash-'));
    journal = join(home, 'journal.log');
    writeFileSync(journal, '');
    const taskQueue = `crash-${Date.now().toString(36)}`;
    env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      CAIRN_HOME: home,
      CAIRN_TASK_QUEUE: taskQueue,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: mock.openaiBaseUrl,
      CRASH_TEST_JOURNAL: journal,
    };
    client = new CairnClient(new Client({ connection }), { taskQueue });
    const worker = await startWorkerProcess(['--config', config], env);
    workers.push(worker);
    const { runId } = await client.start('crash-test', 'Look up k1.', { heartbeatTimeoutMs: 2000 });
    return { runId, worker };
  }


  it('between turns: a new worker finishes the run and no completed model call is served again', async () => {
    const { runId, worker } = await freshRun();
    // Between turns: the first model call is recorded as completed in history.
    await eventually(async () => (await completedActivities(client.temporal, runId)) >= 1, 'the first model call to complete');
    await worker.kill();
    const completedBeforeKill = await completedActivities(client.temporal, runId);

    workers.push(await startWorkerProcess(['--config', config], env));
    const result = await client.result(runId);

    expect(result).toMatchObject({ status: 'completed', output: 'Finished with value of k1.', turns: 3 });
    expect(completedBeforeKill).toBeGreaterThanOrEqual(1);
    expect(servedCompletedCalls(mock.requests, completedBeforeKill)).toEqual(Array(completedBeforeKill).fill(1));
    expect(servedByConversation(mock.requests).size).toBe(3);
  });

  it('during a slow tool call: the tool is retried on the new worker and the run completes', async () => {
    const { runId, worker } = await freshRun();
    await eventually(() => readFileSync(journal, 'utf8').includes('slow_lookup started'), 'the slow tool to start');
    await worker.kill();
    const completedBeforeKill = await completedActivities(client.temporal, runId);

    workers.push(await startWorkerProcess(['--config', config], env));
    const result = await client.result(runId);

    expect(result).toMatchObject({ status: 'completed', output: 'Finished with value of k1.', turns: 3 });
    expect(completedBeforeKill).toBe(2);
    // Nothing was in flight at the model: every call, before and after the kill, was served once.
    expect([...servedByConversation(mock.requests).values()]).toEqual([1, 1, 1]);
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    // The note ran once; the slow lookup started twice (killed, then retried) with the same idempotency key and finished once.
    expect(lines.filter((line) => line.startsWith('note'))).toEqual([`note ${runId}/call-1-1`]);
    expect(lines.filter((line) => line.startsWith('slow_lookup started'))).toEqual([
      `slow_lookup started ${runId}/call-2-1`,
      `slow_lookup started ${runId}/call-2-1`,
    ]);
    expect(lines.filter((line) => line.startsWith('slow_lookup finished'))).toHaveLength(1);
  });
});
