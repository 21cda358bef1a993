/**
 * Asynchronous tools: `execute` starts the work and hands over how to finish it;
 * the run waits, holding no worker slot, until the result comes back from
 * outside — through the client (`cairn complete`), the callback server with the
 * call's token, or Temporal's task token — or its time is up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool, startCallbackServer, type AsyncCompletion, type CallbackServer, type PendingAsyncCall } from '../src/index.ts';

process.env.CAIRN_CALLBACK_SECRET = 'a-test-secret-of-some-length';

/** The ticket desk outside: what each started ticket was handed, by its summary. */
const handedOver = new Map<string, AsyncCompletion>();

const openTicket = defineTool({
  name: 'open_ticket',
  description: 'Opens a support ticket; its resolution arrives when someone closes it.',
  input: z.object({ summary: z.string() }),
  async: { timeout: '1 hour' },
  execute: ({ summary }, { completion }) => {
    handedOver.set(summary, completion!);
    return { ticket: `T-${handedOver.size}` };
  },
});
const runBuild = defineTool({
  name: 'run_build',
  description: 'Starts a build; its result arrives when it finishes.',
  input: z.object({ target: z.string() }),
  async: { timeout: 2_000, onTimeout: { result: 'The build did not report back: treat it as failed.' } },
  execute: ({ target }, { completion }) => {
    handedOver.set(target, completion!);
    return { started: target };
  },
});
const support = defineAgent({ name: 'support', model: 'openai:gpt-test', instructions: 'Get things done.', tools: [openTicket, runBuild] });

/** Makes the calls the task asks for (JSON in the prompt), then answers with every result. */
function callsFromTheTask(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  if (results.length > 0) return { text: results.map((result) => result.content).join('\n') };
  const task = request.messages.find((message) => message.role === 'user')!;
  return { toolCalls: JSON.parse(String(task.content)) };
}

describe('asynchronous tools', { timeout: 120_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let callbacks: CallbackServer;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(callsFromTheTask);
    stack = await startTestStack({ agents: [support], mock });
    callbacks = await startCallbackServer({ client: stack.client, secret: process.env.CAIRN_CALLBACK_SECRET!, port: 0 });
    process.env.CAIRN_CALLBACK_URL = callbacks.url;
  });
  afterAll(async () => {
    await callbacks?.close();
    await stack?.stop();
    await mock?.close();
  });

  async function start(calls: { name: string; arguments: Record<string, unknown> }[]) {
    const { runId } = await stack.client.start('support', JSON.stringify(calls));
    return runId;
  }

  const waiting = (runId: string, count = 1) =>
    eventually(async () => {
      const items = (await stack.client.inbox()).filter((item) => item.runId === runId && item.kind === 'async_call');
      return items.length === count && (items as (PendingAsyncCall & { runId: string })[]);
    }, 'the asynchronous call in the inbox');

  it('waits without a worker slot, and takes a completion made while no worker ran', async () => {
    const runId = await start([{ name: 'open_ticket', arguments: { summary: 'printer on fire' } }]);
    const [pending] = await waiting(runId);
    expect(pending).toMatchObject({ kind: 'async_call', tool: 'open_ticket', arguments: { summary: 'printer on fire' } });
    expect(pending!.timeoutAt - pending!.askedAt).toBe(3_600_000);
    // The inbox lists the call once it is scheduled; once execute has started the work, the slot is free.
    await eventually(() => handedOver.has('printer on fire') && stack.worker.getStatus().numInFlightActivities === 0, 'the worker to hold no activity');
    expect((await stack.client.status(runId)).state).toBe('waiting_for_human');

    await stack.stopWorker();
    await stack.client.completeToolCall(runId, pending!.id, { result: { resolution: 'extinguished', closedBy: 'Ada' } });
    await expect(stack.client.completeToolCall(runId, pending!.id, { result: 'again' })).rejects.toThrow(/no pending asynchronous tool call|no longer waiting/);
    await stack.restartWorker();

    const { output } = await stack.client.result(runId);
    expect(output).toBe('{"resolution":"extinguished","closedBy":"Ada"}');
  });

  it('takes a result posted to the callback server with the call’s token, and refuses a wrong one', async () => {
    const runId = await start([{ name: 'open_ticket', arguments: { summary: 'laptop slow' } }]);
    const [pending] = await waiting(runId);
    // The inbox lists the call as soon as it is scheduled; execute may still be starting the work.
    const handed = await eventually(() => handedOver.get('laptop slow'), 'execute to hand the call over');
    expect(handed.callbackUrl).toBe(`${callbacks.url}/v1/callbacks/${runId}/${pending!.id}`);
    const post = (token: string, body: unknown) =>
      fetch(handed.callbackUrl, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const forged = await post(handed.callbackToken.replace(/^./, (first) => (first === 'A' ? 'B' : 'A')), { result: 'forged' });
    expect(forged.status).toBe(401);
    expect((await post(handed.callbackToken, { result: 'x', extra: 1 })).status).toBe(400);
    expect(await stack.client.pending(runId)).toHaveLength(1);

    const accepted = await post(handed.callbackToken, { result: 'Reinstalled the driver.' });
    expect(accepted.status).toBe(200);
    expect((await stack.client.result(runId)).output).toBe('Reinstalled the driver.');
    // The call is settled: the token completes nothing more.
    expect((await post(handed.callbackToken, { result: 'again' })).status).toBe(409);
  });

  it('takes a completion by Temporal task token, and gives a call that times out its declared result', async () => {
    const runId = await start([
      { name: 'open_ticket', arguments: { summary: 'badge lost' } },
      { name: 'run_build', arguments: { target: 'nightly' } },
    ]);
    await waiting(runId, 2);
    const handed = await eventually(() => handedOver.get('badge lost'), 'execute to hand the call over');
    await stack.temporal.activity.complete(Buffer.from(handed.taskToken, 'base64'), 'New badge issued.');
    const { output } = await stack.client.result(runId);
    expect(output).toBe('New badge issued.\nThe build did not report back: treat it as failed.');
  });

  it('hands the model a failure reported from outside', async () => {
    const runId = await start([{ name: 'open_ticket', arguments: { summary: 'vpn down' } }]);
    const [pending] = await waiting(runId);
    await stack.client.completeToolCall(runId, pending!.id, { error: 'the ticket was closed as a duplicate' });
    expect((await stack.client.result(runId)).output).toBe("Tool 'open_ticket' failed: the ticket was closed as a duplicate");
  });
});
