/**
 * `cairn gc` as an operator runs it, on a Temporal server of its own (so that
 * every run it sees is this test's): an old finished run's blobs go, an open
 * run keeps everything it needs and finishes afterwards.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, eventually, startTestStack, toolResults, type TestStack } from '@cairn/testing';
import { startDevServer, type DevServer } from '@cairn/dev-server';
import { askHuman, defineAgent, defineTool } from '@cairn/core';
import { runCli } from './cli-process.ts';

const lookup = defineTool({ name: 'lookup', description: 'Looks it up.', input: z.object({ topic: z.string() }), execute: ({ topic }) => `all about ${topic}, ${'in detail. '.repeat(50)}` });
const analyst = defineAgent({ name: 'analyst', model: 'openai:gpt-test', instructions: 'Look it up, ask when unsure.', tools: [lookup, askHuman()] });

describe('cairn gc', { timeout: 240_000 }, () => {
  let server: DevServer;
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  const gc = async (...args: string[]) => {
    const { code, stdout, stderr } = await runCli(['gc', ...args], env);
    expect(code, stderr).toBe(0);
    return stdout;
  };

  beforeAll(async () => {
    server = await startDevServer({ uiPort: false });
    mock = await MockModelServer.start();
    mock.handle((request) => {
      const results = toolResults(request);
      const question = request.messages[0]?.content ?? '';
      if (results.length === 0) return { toolCalls: [{ id: 'l1', name: 'lookup', arguments: { topic: question } }] };
      if (question.startsWith('Ask') && results.length === 1) return { toolCalls: [{ id: 'q1', name: 'ask_human', arguments: { question: 'For whom?' } }] };
      return { text: `Done: ${results.map((result) => result.content.slice(0, 20)).join(' / ')}` };
    });
    stack = await startTestStack({ agents: [analyst], mock, address: server.address });
    env = { TEMPORAL_ADDRESS: server.address, CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-gc-')), CAIRN_BLOB_DIR: stack.blobDir, NO_COLOR: '1' };
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
    await server?.stop();
  });

  it('deletes what only an old finished run reaches, and an open run finishes afterwards', async () => {
    const old = await stack.client.start('analyst', 'Tell me about tides.');
    expect((await stack.client.result(old.runId)).status).toBe('completed');
    await sleep(2_000);
    const open = await stack.client.start('analyst', 'Ask me, then tell me about currents.');
    await eventually(async () => ((await stack.client.pending(open.runId)).length > 0 ? true : undefined), 'the question');
    const before = countBlobs(stack.blobDir);

    const dry = JSON.parse(await gc('--older-than', '1s', '--dry-run', '--json')) as { keptRuns: number; collectable: number; deleted: number; blobs: number; dryRun: boolean };
    expect(dry).toMatchObject({ keptRuns: 1, deleted: 0, dryRun: true, blobs: before });
    // The old run's own entries (one per model call) and tool result; its spec is shared with the open run and stays.
    expect(dry.collectable).toBeGreaterThanOrEqual(3);
    expect(countBlobs(stack.blobDir)).toBe(before);

    const text = await gc('--older-than', '1s');
    expect(text).toContain('Kept runs: 1 (open, or closed since');
    expect(text).toContain(`✓ Deleted ${dry.collectable} blobs`);
    expect(countBlobs(stack.blobDir)).toBe(before - dry.collectable);

    // Everything the open run needs is still there: it finishes with the result it looked up before gc,
    // on a new worker that has only the store to read it from (a worker keeps what it wrote lately).
    await stack.stopWorker();
    await stack.restartWorker();
    await stack.client.answer(open.runId, 'the harbour master');
    const result = await stack.client.result(open.runId);
    expect(result).toMatchObject({ status: 'completed' });
    expect(result.output).toBe('Done: all about Ask me, th / the harbour master');

    // Run again with nothing old left: nothing more to delete.
    const again = JSON.parse(await gc('--older-than', '1h', '--json')) as { collectable: number };
    expect(again.collectable).toBe(0);
  });

  it('refuses an unknown age, and on a cluster a store it was not told of', async () => {
    const badAge = await runCli(['gc', '--older-than', 'soon'], env);
    expect(badAge.code).toBe(1);
    expect(badAge.stderr).toContain("argument 'soon' is invalid. expected an age such as 30d, 12h, 90m or 1w.");
    const noStore = await runCli(['gc', '--older-than', '30d'], { ...env, CAIRN_BLOB_DIR: '' });
    expect(noStore.code).toBe(1);
    expect(noStore.stderr).toContain("On a cluster, 'cairn gc' needs to be told which blob store the workers share.");
  });
});

function countBlobs(directory: string): number {
  return readdirSync(directory).reduce((count, shard) => count + readdirSync(join(directory, shard)).length, 0);
}

