import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, toolResults, startTestStack, type TestStack, eventually } from '@cairn/testing';
import { askHuman, defineAgent, defineTool } from '../src/index.ts';
import { addBudgetSignal, answerSignal, answerUpdate, approveSignal, decideUpdate, denySignal } from '../src/workflow/definitions.ts';

const sent: string[] = [];
const transfer = defineTool({
  name: 'transfer',
  description: 'Transfers money.',
  input: z.object({ to: z.string(), amount: z.number() }),
  needsApproval: true,
  execute: ({ to, amount }) => {
    sent.push(`${amount} to ${to}`);
    return 'sent';
  },
});
const clerk = defineAgent({ name: 'clerk', model: 'openai:gpt-test', instructions: 'Ask, then pay.', tools: [askHuman(), transfer] });

/** Payloads a script, a stale client or a hostile user could send; none may harm the run. */
const badPayloads: { name: string; send: 'signal' | 'update'; definition: unknown; payload: unknown; message: RegExp }[] = [
  { name: 'approval as the string "no"', send: 'update', definition: decideUpdate, payload: { callId: 'call-1-2', approved: 'no' }, message: /approved must be true or false/ },
  { name: 'decision without an id', send: 'update', definition: decideUpdate, payload: { approved: true }, message: /callId/ },
  { name: 'decision that is null', send: 'update', definition: decideUpdate, payload: null, message: /Invalid approval decision/ },
  { name: 'answer that is a number', send: 'update', definition: answerUpdate, payload: { questionId: 'call-1-1', answer: 42 }, message: /answer/ },
  { name: 'answer with an empty id', send: 'update', definition: answerUpdate, payload: { questionId: '', answer: 'x' }, message: /the id is empty/ },
  { name: 'answer to a question id 10 KB long', send: 'update', definition: answerUpdate, payload: { questionId: 'q'.repeat(10_000), answer: 'x' }, message: /longer than 200/ },
  { name: 'answer signal that is a string', send: 'signal', definition: answerSignal, payload: 'metric', message: /Invalid answer/ },
  { name: 'answer signal of an array', send: 'signal', definition: answerSignal, payload: [1, 2], message: /Invalid answer/ },
  { name: 'approve signal with a numeric id', send: 'signal', definition: approveSignal, payload: { callId: 7 }, message: /callId/ },
  { name: 'approve signal that is null', send: 'signal', definition: approveSignal, payload: null, message: /Invalid approval/ },
  { name: 'deny signal with an object reason', send: 'signal', definition: denySignal, payload: { callId: 'call-1-2', reason: { why: 1 } }, message: /reason/ },
  { name: 'negative top-up', send: 'signal', definition: addBudgetSignal, payload: { tokens: -1 }, message: /tokens must be more than 0/ },
  { name: 'top-up given as a string', send: 'signal', definition: addBudgetSignal, payload: { tokens: '5' }, message: /tokens must be a number/ },
  { name: 'top-up of nothing', send: 'signal', definition: addBudgetSignal, payload: {}, message: /name at least one/ },
  { name: 'top-up that is a string', send: 'signal', definition: addBudgetSignal, payload: '100k', message: /Invalid budget top-up/ },
];

describe('signal and update payloads', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [clerk], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('rejects every malformed payload, records the signals, and the run completes unharmed', async () => {
    sent.length = 0;
    mock.handle((request) => {
      const results = toolResults(request);
      if (results.length === 0) {
        return {
          toolCalls: [
            { name: 'ask_human', arguments: { question: 'Who?' } },
            { name: 'transfer', arguments: { to: 'alice', amount: 5 } },
          ],
        };
      }
      return { text: `Done: ${results.map((result) => result.content).join(', ')}` };
    });
    const { runId } = await stack.client.start('clerk', 'Pay someone.', { budget: { tokens: 1_000_000 } });
    await eventually(async () => ((await stack.client.pending(runId)).length === 2 ? true : undefined), 'both items to wait');
    const handle = stack.temporal.workflow.getHandle(runId);

    for (const bad of badPayloads) {
      if (bad.send === 'update') {
        const error = await handle.executeUpdate(bad.definition as typeof decideUpdate, { args: [bad.payload as never] }).then(
          () => undefined,
          (caught: Error) => caught,
        );
        expect(error, bad.name).toBeDefined();
        expect((error!.cause as Error | undefined)?.message ?? error!.message, bad.name).toMatch(bad.message);
      } else {
        await handle.signal(bad.definition as typeof answerSignal, bad.payload as never);
      }
    }
    const signals = badPayloads.filter((bad) => bad.send === 'signal');
    const status = await eventually(async () => {
      const current = await stack.client.status(runId);
      return current.rejected.length >= signals.length ? current : undefined;
    }, 'every bad signal to be recorded');
    signals.forEach((bad, index) => expect(status.rejected[index]!.message, bad.name).toMatch(bad.message));
    expect(status.pending.map((item) => item.id)).toEqual(['call-1-1', 'call-1-2']);
    expect(status.budget?.limits.tokens).toBe(1_000_000);
    expect(sent).toEqual([]);

    await stack.client.answer(runId, 'alice', 'call-1-1');
    await stack.client.decide(runId, { callId: 'call-1-2', approved: true });
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: 'Done: alice, sent' });
    expect(sent).toEqual(['5 to alice']);
  });

  it('records a bad top-up sent before the agent is even resolved, and the run goes on', async () => {
    mock.reset();
    mock.script({ text: 'Fine.' });
    const started = await stack.temporal.workflow.signalWithStart('agentWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: `early-topup-${Date.now()}`,
      args: [{ agent: 'clerk', input: 'Hello.' }],
      signal: addBudgetSignal,
      signalArgs: [{ tokens: -1 } as never],
    });
    expect(await started.result()).toMatchObject({ status: 'completed', output: 'Fine.' });
  });
});
