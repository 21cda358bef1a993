/**
 * `cairn worker` exports spans over OTLP when the standard OTEL_* variables say
 * where, and sends nothing when they do not. A worker SIGKILLed in the middle of a
 * run, and the new worker that finishes it, trace every step exactly once.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, OtlpReceiver, eventually, toolResults, type MockRequest, type ScriptedReply } from '@cairn/testing';
import { CairnClient } from '@cairn/core';
import { startWorkerProcess, type WorkerProcess } from './cli-process.ts';

const config = fileURLToPath(new URL('./fixtures/crash.config.ts', import.meta.url));

/** Turn 1 notes something; the answer in turn 2 takes 4 s, long enough to kill the worker during it. */
function model(request: MockRequest): ScriptedReply {
  if (toolResults(request).length === 0) return { toolCalls: [{ name: 'note', arguments: { text: 'tides' } }], usage: { inputTokens: 100, outputTokens: 10 } };
  return { latencyMs: 4_000, text: 'Noted the tides.', usage: { inputTokens: 200, outputTokens: 20 } };
}

describe('tracing from `cairn worker`', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let receiver: OtlpReceiver;
  let connection: Connection;
  const workers: WorkerProcess[] = [];
  const envFor = (taskQueue: string, tracing: boolean): NodeJS.ProcessEnv => ({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-tracing-')),
    CAIRN_TASK_QUEUE: taskQueue,
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: mock.openaiBaseUrl,
    CRASH_TEST_JOURNAL: join(mkdtempSync(join(tmpdir(), 'cairn-journal-')), 'journal'),
    ...(tracing ? { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_SERVICE_NAME: 'cairn-test-worker' } : { OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined }),
  });

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    receiver = await OtlpReceiver.start();
    connection = await Connection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await connection?.close();
    await receiver?.close();
    await mock?.close();
  });

  it('traces every step once when a worker is killed mid-run and another finishes it', async () => {
    const taskQueue = `tracing-${Date.now().toString(36)}`;
    const env = envFor(taskQueue, true);
    writeFileSync(env.CRASH_TEST_JOURNAL!, '');
    const client = new CairnClient(new Client({ connection }), { taskQueue });
    const first = await startWorkerProcess(['--config', config], env);
    workers.push(first);
    const { runId } = await client.start('crash-test', 'Note the tides.', { heartbeatTimeoutMs: 2_000 });

    // The second model call is in flight; the first turn's spans have been exported.
    await eventually(() => (mock.requests.filter((request) => toolResults(request).length > 0).length > 0 ? true : undefined), 'the second model call');
    await eventually(() => (receiver.spans.some((span) => span.name === 'turn 1' && span.attributes['cairn.run.id'] === runId) ? true : undefined), 'turn 1 exported');
    await first.kill();

    workers.push(await startWorkerProcess(['--config', config], env));
    expect(await client.result(runId)).toMatchObject({ status: 'completed', output: 'Noted the tides.' });
    await eventually(() => (receiver.spans.some((span) => span.name.startsWith('invoke_agent') && span.attributes['cairn.run.id'] === runId) ? true : undefined), 'the run span');
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // anything late or duplicated would arrive by now

    const ours = receiver.spans.filter((span) => span.attributes['cairn.run.id'] === runId);
    const counts = new Map<string, number>();
    for (const span of ours) counts.set(`${span.name} ${span.spanId}`, (counts.get(`${span.name} ${span.spanId}`) ?? 0) + 1);
    console.log(`spans exported for ${runId}: ${[...counts].map(([key, count]) => `${key.split(' ').slice(0, -1).join(' ')} ×${count}`).join(', ')}`);
    expect(ours.map((span) => span.name).sort()).toEqual(['chat gpt-test', 'chat gpt-test', 'execute_tool note', 'invoke_agent crash-test', 'turn 1', 'turn 2']);
    expect([...counts.values()]).toEqual([1, 1, 1, 1, 1, 1]);
    expect(new Set(ours.map((span) => span.traceId)).size).toBe(1);
    const run = ours.find((span) => span.name === 'invoke_agent crash-test')!;
    const secondChat = ours.find((span) => span.name === 'chat gpt-test' && span.attributes['cairn.turn'] === 2)!;
    expect(secondChat.attributes).toMatchObject({ 'gen_ai.usage.input_tokens': 200, 'gen_ai.usage.output_tokens': 20, 'gen_ai.provider.name': 'openai' });
    const turn2 = ours.find((span) => span.name === 'turn 2')!;
    expect(secondChat.parentSpanId).toBe(turn2.spanId);
    expect(turn2.parentSpanId).toBe(run.spanId);
  });

  it('sends nothing when no OTLP endpoint is set', async () => {
    const taskQueue = `untraced-${Date.now().toString(36)}`;
    const env = envFor(taskQueue, false);
    writeFileSync(env.CRASH_TEST_JOURNAL!, '');
    const worker = await startWorkerProcess(['--config', config], env);
    workers.push(worker);
    const before = receiver.requests;
    const client = new CairnClient(new Client({ connection }), { taskQueue });
    const { runId } = await client.start('crash-test', 'Note the tides.');
    expect(await client.result(runId)).toMatchObject({ status: 'completed' });
    await worker.stop(); // a traced worker would flush now
    expect(receiver.requests).toBe(before);
    expect(receiver.spans.filter((span) => span.attributes['cairn.run.id'] === runId)).toEqual([]);
  });
});
