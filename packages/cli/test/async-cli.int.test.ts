/**
 * `cairn complete` as a user runs it, for an asynchronous tool call whose run
 * waits with every worker stopped: the result is taken by the server, and the
 * run carries on with it once a new worker starts.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { eventually, MockModelServer, startTestStack, toolResults, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool } from '@cairn/core';
import { runCli } from './cli-process.ts';

const started: string[] = [];
const deploy = defineTool({
  name: 'deploy',
  description: 'Starts a deployment; its outcome arrives when it finishes.',
  input: z.object({ service: z.string() }),
  async: { timeout: '2 hours' },
  execute: ({ service }) => {
    started.push(service);
    return { deployment: `${service}-1` };
  },
});
const releaser = defineAgent({ name: 'releaser', model: 'openai:gpt-test', instructions: 'Release things.', tools: [deploy] });

describe('cairn complete', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  const cairn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request) => {
      const [result] = toolResults(request);
      return result ? { text: `Deployment says: ${result.content}` } : { toolCalls: [{ name: 'deploy', arguments: { service: 'billing' } }] };
    });
    stack = await startTestStack({ agents: [releaser], mock, address: inject('temporalAddress') });
    env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-complete-')), CAIRN_TASK_QUEUE: stack.taskQueue, NO_COLOR: '1' };
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('completes a call while every worker is stopped; a new worker carries the run on with the result', async () => {
    const { runId } = await stack.client.start('releaser', 'Deploy billing.');
    const [call] = await eventually(async () => {
      const pending = (await stack.client.inbox()).filter((item) => item.runId === runId);
      return pending.length > 0 && pending;
    }, 'the deploy call in the inbox');
    // Listed once scheduled; once execute has started the deployment, the worker holds no slot for it.
    await eventually(() => started.length === 1 && stack.worker.getStatus().numInFlightActivities === 0, 'the worker to hold no activity');

    const inbox = await cairn('inbox');
    expect(inbox.stdout).toContain(`async call ${call!.id}: deploy({"service":"billing"}) waiting for its result, times out in 2h`);

    await stack.stopWorker();
    const badJson = await cairn('complete', runId, call!.id, '--result', 'all good');
    expect(badJson.code).not.toBe(0);
    expect(badJson.stderr).toContain('The result is not valid JSON');
    const wrongCall = await cairn('complete', runId, 'call-9-9', '--result', '"x"');
    expect(wrongCall.stderr).toContain(`Run '${runId}' has no pending asynchronous tool call 'call-9-9'.`);

    const completed = await cairn('complete', runId, call!.id, '--result', '{"status":"live","version":"2.4.1"}');
    expect(completed.code, completed.stderr).toBe(0);
    expect(completed.stdout).toContain(`✓ Completed ${call!.id} of ${runId} (deploy).`);

    await stack.restartWorker();
    expect((await stack.client.result(runId)).output).toBe('Deployment says: {"status":"live","version":"2.4.1"}');
  });
});
