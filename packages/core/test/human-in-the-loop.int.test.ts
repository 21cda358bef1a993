import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, toolResults, type MockRequest, type ScriptedReply, startTestStack, type TestStack, eventually, transferTool } from '@cairn/testing';
import { askHuman, defineAgent, defineTool, type PendingItem } from '../src/index.ts';
import { answerSignal, answerUpdate } from '../src/workflow/definitions.ts';

const { transfer, transfers } = transferTool();

const lookup = defineTool({
  name: 'lookup',
  description: 'Looks up a fact; only big lookups need approval.',
  input: z.object({ topic: z.string(), pages: z.number().int() }),
  needsApproval: ({ pages }) => pages > 10,
  execute: ({ topic }) => `facts about ${topic}`,
});

const asker = defineAgent({ name: 'asker', model: 'openai:gpt-test', instructions: 'Ask when unsure.', tools: [askHuman()] });
const impatient = defineAgent({
  name: 'impatient',
  model: 'anthropic:claude-test',
  instructions: 'Ask when unsure.',
  tools: [askHuman({ timeoutMs: 1500, defaultAnswer: 'Use metric units.' })],
});
const banker = defineAgent({ name: 'banker', model: 'openai:gpt-test', instructions: 'Move money when asked.', tools: [transfer, lookup] });

/** Asks once, then answers with whatever the person said. */
function askThenEcho(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  if (results.length === 0) return { toolCalls: [{ id: 'q1', name: 'ask_human', arguments: { question: 'Which units?', choices: ['metric', 'imperial'] } }] };
  return { text: `Using: ${results[0]!.content}` };
}


describe('human in the loop', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  const pendingOf = (runId: string, count = 1) => eventually(async () => {
    const pending = await stack.client.pending(runId);
    return pending.length >= count ? pending : undefined;
  }, `${count} pending item(s) on ${runId}`);

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [asker, impatient, banker], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('takes an answer sent while no worker runs, and a worker started later finishes with it', async () => {
    mock.reset();
    mock.handle(askThenEcho);
    const { runId } = await stack.client.start('asker', 'Convert 3 miles.');
    const [question] = await pendingOf(runId);
    // Cairn names the call from the turn and its position, whatever id the model gave it.
    expect(question).toMatchObject({ kind: 'question', id: 'call-1-1', question: 'Which units?', choices: ['metric', 'imperial'] });
    expect((await stack.client.status(runId)).state).toBe('waiting_for_human');

    await stack.stopWorker();
    // No worker: the checked update cannot run, so the answer goes as a signal the server keeps, and says so.
    expect(await stack.client.answer(runId, 'metric')).toMatchObject({ id: 'call-1-1', delivery: 'queued' });
    // A second answer to the same question would be dropped when a worker reads it: it is refused now instead.
    await expect(stack.client.answer(runId, 'imperial', 'call-1-1')).rejects.toThrow(`An answer to question 'call-1-1' of run '${runId}' is already queued; this one was not sent.`);

    // With no worker to ask, status comes from what Temporal holds: the model call made, the answer waiting.
    const offline = await stack.client.status(runId);
    expect(offline).toMatchObject({ workerUnavailable: true, state: 'waiting_for_human', turn: 1, queuedDecisions: ['call-1-1'] });
    expect(offline.usage.inputTokens).toBeGreaterThan(0);

    await stack.restartWorker();
    const result = await stack.client.result(runId);
    expect(result.output).toBe('Using: metric');
    expect(await stack.client.pending(runId)).toEqual([]);
  });

  it('runs two parallel approved calls with their own arguments, approved in reverse order, and tells the model of a denial', async () => {
    mock.reset();
    transfers.length = 0;
    mock.script(
      {
        toolCalls: [
          { id: 'pay_alice', name: 'transfer', arguments: { to: 'alice', amount: 10 } },
          { id: 'pay_bob', name: 'transfer', arguments: { to: 'bob', amount: 20 } },
          { id: 'pay_eve', name: 'transfer', arguments: { to: 'eve', amount: 999 } },
          { id: 'small', name: 'lookup', arguments: { topic: 'fees', pages: 2 } },
        ],
      },
      { text: 'Done.' },
    );
    const { runId } = await stack.client.start('banker', 'Pay alice 10 and bob 20.');
    const pending = await pendingOf(runId, 3);
    expect(pending.map((item) => item.id).sort()).toEqual(['call-1-1', 'call-1-2', 'call-1-3']);
    expect(pending.find((item) => item.id === 'call-1-2')).toMatchObject({ kind: 'approval', tool: 'transfer', arguments: { to: 'bob', amount: 20 } });

    await stack.client.decide(runId, { callId: 'call-1-2', approved: true });
    await stack.client.decide(runId, { callId: 'call-1-1', approved: true, arguments: { to: 'alice', amount: 12 } });
    await stack.client.decide(runId, { callId: 'call-1-3', approved: false, reason: 'not a known payee' });
    const result = await stack.client.result(runId);

    expect(result.output).toBe('Done.');
    expect(transfers).toEqual([
      { to: 'bob', amount: 20 },
      { to: 'alice', amount: 12 },
    ]);
    // The model hears back under its own ids.
    const results = Object.fromEntries(toolResults(mock.requests[1]!).map((entry) => [entry.toolCallId, entry.content]));
    expect(results).toEqual({
      pay_alice: 'sent 12 to alice',
      pay_bob: 'sent 20 to bob',
      pay_eve: "The user denied this call to 'transfer': not a known payee. Do not retry it unchanged.",
      small: 'facts about fees',
    });
  });

  it('gives the declared default when a question times out', async () => {
    mock.reset();
    mock.handle(askThenEcho);
    const { runId } = await stack.client.start('impatient', 'Convert 3 miles.');
    const result = await stack.client.result(runId);
    expect(result.output).toBe('Using: Use metric units.');
  });

  it('answers for nobody in an unattended run', async () => {
    mock.reset();
    mock.handle(askThenEcho);
    const { runId } = await stack.client.start('asker', 'Convert 3 miles.', { unattended: true });
    expect((await stack.client.result(runId)).output).toMatch(/^Using: No human is available/);
  });

  it('rejects answers to questions that are not pending, with a clear error, and changes nothing', async () => {
    mock.reset();
    mock.handle(askThenEcho);
    const { runId } = await stack.client.start('asker', 'Convert 3 miles.');
    await pendingOf(runId);

    await expect(stack.client.answer(runId, 'metric', 'q7')).rejects.toThrow("Run '" + runId + "' has no pending question 'q7'.");
    await expect(stack.client.decide(runId, { approved: true })).rejects.toThrow(`Run '${runId}' is not waiting for any approval.`);
    await expect(stack.client.answer('no-such-run', 'metric')).rejects.toThrow("No run with id 'no-such-run'.");
    const handle = stack.temporal.workflow.getHandle(runId);
    const rejected = await handle.executeUpdate(answerUpdate, { args: [{ questionId: 'q7', answer: 'metric' }] }).catch((error: Error) => error);
    expect(((rejected as Error).cause as Error | undefined)?.message).toBe("No question 'q7' is pending. Pending: call-1-1.");
    await handle.signal(answerSignal, { questionId: 'q7', answer: 'metric' });
    const status = await eventually(async () => {
      const current = await stack.client.status(runId);
      return current.rejected.length > 0 ? current : undefined;
    }, 'the rejected signal to be recorded');
    expect(status.rejected[0]!.message).toBe("No question 'q7' is pending. Pending: call-1-1.");
    expect(status.pending.map((item: PendingItem) => item.id)).toEqual(['call-1-1']);

    // Rejections are published too: with no worker running, status still shows them.
    await stack.stopWorker();
    const offline = await stack.client.status(runId);
    expect(offline.workerUnavailable).toBe(true);
    expect(offline.rejected.map((rejection) => rejection.message)).toEqual(["No question 'q7' is pending. Pending: call-1-1."]);
    // And the inbox lists it beside the question still waiting.
    const listed = await eventually(async () => (await stack.client.inbox()).find((item) => item.runId === runId && item.rejected), 'the rejection in the inbox');
    expect(listed.rejected!.map((rejection) => rejection.message)).toEqual(["No question 'q7' is pending. Pending: call-1-1."]);
    await stack.restartWorker();

    expect(await stack.client.answer(runId, 'imperial')).toMatchObject({ delivery: 'confirmed' });
    expect((await stack.client.result(runId)).output).toBe('Using: imperial');
    await expect(stack.client.answer(runId, 'metric', 'call-1-1')).rejects.toThrow(`Run '${runId}' is completed: it waits for no answer or decision any more.`);
  });

  it('makes each call wait for its own decision when the model reuses its ids on every turn', async () => {
    mock.reset();
    transfers.length = 0;
    // A compatible server that calls every turn's first call `call_1`.
    mock.script(
      { toolCalls: [{ id: 'call_1', name: 'transfer', arguments: { to: 'alice', amount: 1 } }] },
      { toolCalls: [{ id: 'call_1', name: 'transfer', arguments: { to: 'mallory', amount: 1_000_000 } }] },
      { text: 'Done.' },
    );
    const { runId } = await stack.client.start('banker', 'Pay alice 1.');
    const [first] = await pendingOf(runId);
    expect(first).toMatchObject({ id: 'call-1-1', arguments: { to: 'alice', amount: 1 } });
    await stack.client.decide(runId, { callId: first!.id, approved: true });

    // The approval for alice must not carry over to the next turn's call with the same model id.
    const second = await eventually(async () => (await stack.client.pending(runId)).find((item) => item.id !== first!.id), 'the second call to wait');
    expect(second).toMatchObject({ id: 'call-2-1', arguments: { to: 'mallory', amount: 1_000_000 } });
    expect(transfers).toEqual([{ to: 'alice', amount: 1 }]);
    await expect(stack.client.decide(runId, { callId: first!.id, approved: true })).rejects.toThrow(/no pending approval 'call-1-1'|already resolved/);
    await stack.client.decide(runId, { callId: second!.id, approved: false, reason: 'unknown payee' });

    expect((await stack.client.result(runId)).output).toBe('Done.');
    expect(transfers).toEqual([{ to: 'alice', amount: 1 }]);
    // The model is still answered under its own ids.
    expect(toolResults(mock.requests[2]!).map((entry) => entry.toolCallId)).toEqual(['call_1', 'call_1']);
  });

  it('keeps questions apart when a server sends no ids at all', async () => {
    mock.reset();
    mock.handle((request) => {
      const results = toolResults(request);
      if (results.length === 0) return { toolCalls: [{ id: null, name: 'ask_human', arguments: { question: 'First name?' } }] };
      if (results.length === 1) return { toolCalls: [{ id: null, name: 'ask_human', arguments: { question: 'Last name?' } }] };
      return { text: results.map((result) => result.content).join(' ') };
    });
    const { runId } = await stack.client.start('asker', 'Who are you?');
    const [first] = await pendingOf(runId);
    expect(first).toMatchObject({ id: 'call-1-1', question: 'First name?' });
    await stack.client.answer(runId, 'Ada', first!.id);
    const second = await eventually(async () => (await stack.client.pending(runId)).find((item) => item.id !== first!.id), 'the second question');
    expect(second).toMatchObject({ id: 'call-2-1', question: 'Last name?' });
    await stack.client.answer(runId, 'Lovelace', second!.id);
    expect((await stack.client.result(runId)).output).toBe('Ada Lovelace');
    // With no id from the model, it is answered under Cairn's.
    expect(toolResults(mock.requests[2]!).map((entry) => entry.toolCallId)).toEqual(['call-1-1', 'call-2-1']);
  });
});
