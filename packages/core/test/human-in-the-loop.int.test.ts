import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, toolResults, type MockRequest, type ScriptedReply, startTestStack, type TestStack, eventually } from '@cairn/testing';
import { askHuman, defineAgent, defineTool, type PendingItem } from '../src/index.ts';
import { answerSignal, answerUpdate } from '../src/workflow/definitions.ts';

const transfers: { to: string; amount: number }[] = [];
const transfer = defineTool({
  name: 'transfer',
  description: 'Transfers money.',
  input: z.object({ to: z.string(), amount: z.number().positive() }),
  needsApproval: true,
  execute: (args) => {
    transfers.push(args);
    return `sent ${args.amount} to ${args.to}`;
  },
});

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
    expect(question).toMatchObject({ kind: 'question', id: 'q1', question: 'Which units?', choices: ['metric', 'imperial'] });
    expect((await stack.client.status(runId)).state).toBe('waiting_for_human');

    await stack.stopWorker();
    // No worker: the checked update cannot run, so the answer goes as a signal the server keeps.
    await stack.client.answer(runId, 'metric');

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
    expect(pending.map((item) => item.id).sort()).toEqual(['pay_alice', 'pay_bob', 'pay_eve']);
    expect(pending.find((item) => item.id === 'pay_bob')).toMatchObject({ kind: 'approval', tool: 'transfer', arguments: { to: 'bob', amount: 20 } });

    await stack.client.decide(runId, { callId: 'pay_bob', approved: true });
    await stack.client.decide(runId, { callId: 'pay_alice', approved: true, arguments: { to: 'alice', amount: 12 } });
    await stack.client.decide(runId, { callId: 'pay_eve', approved: false, reason: 'not a known payee' });
    const result = await stack.client.result(runId);

    expect(result.output).toBe('Done.');
    expect(transfers).toEqual([
      { to: 'bob', amount: 20 },
      { to: 'alice', amount: 12 },
    ]);
    const results = Object.fromEntries(toolResults(mock.requests[1]!).map((entry) => [entry.toolCallId, entry.content]));
    expect(results).toEqual({
      pay_alice: 'sent 12 to alice',
      pay_bob: 'sent 20 to bob',
      pay_eve: "The user denied this call to 'transfer': not a known payee Do not retry it unchanged.",
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
    expect(((rejected as Error).cause as Error | undefined)?.message).toBe("No question 'q7' is pending. Pending: q1.");
    await handle.signal(answerSignal, { questionId: 'q7', answer: 'metric' });
    const status = await eventually(async () => {
      const current = await stack.client.status(runId);
      return current.rejected.length > 0 ? current : undefined;
    }, 'the rejected signal to be recorded');
    expect(status.rejected[0]!.message).toBe("No question 'q7' is pending. Pending: q1.");
    expect(status.pending.map((item: PendingItem) => item.id)).toEqual(['q1']);

    await stack.client.answer(runId, 'imperial');
    expect((await stack.client.result(runId)).output).toBe('Using: imperial');
    await expect(stack.client.answer(runId, 'metric', 'q1')).rejects.toThrow('has no pending question');
  });
});
