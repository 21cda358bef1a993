/**
 * A run turn by turn, as `cairn show` prints it: read back from history and the
 * blob store for finished, running, failed and continued-as-new runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool, type RunRecord } from '../src/index.ts';
import { accountant, clerk, clerkAnswer, invoiceModel, payInvoice } from './fixtures/invoice-run.ts';

const counter = defineAgent({ name: 'counter', model: 'openai:gpt-test', instructions: 'Count with the tool.', tools: [defineTool({ name: 'tick', description: 'Ticks.', input: z.object({}), execute: () => 'tick' })] });
const doomed = defineAgent({ name: 'doomed', model: 'openai:gpt-test', instructions: 'Fail.' });

const usage = { inputTokens: 1_000, outputTokens: 100 };
function model(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  switch (request.system) {
    case 'Fail.':
      return { fault: { kind: 'bad_request', message: 'This model does not exist.' } };
    case 'Count with the tool.':
      return results.length < 3 ? { toolCalls: [{ name: 'tick', arguments: {} }], usage } : { text: 'Three ticks.', usage };
    default:
      return invoiceModel(request);
  }
}

describe('a run turn by turn', { timeout: 60_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let running: RunRecord;
  let finished: RunRecord;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({ agents: [accountant, clerk, counter, doomed], mock });
    const runId = await payInvoice(stack, async (waiting) => {
      running = await stack.client.record(waiting);
    });
    finished = await stack.client.record(runId);
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('shows each turn: the model’s text, its tool calls with arguments and results, tokens, cost and budget', () => {
    expect(finished).toMatchObject({ agent: 'accountant', model: 'openai:gpt-4o-mini', state: 'completed', input: 'Pay whatever invoice is due.', output: 'Paid INV-7 in EUR.', histories: 1 });
    expect(finished.usage).toEqual({ inputTokens: 4_000, outputTokens: 400, cachedInputTokens: 0 });
    expect(finished.turns.map((turn) => turn.turn)).toEqual([1, 2, 3, 4]);
    const [first, second, third, last] = finished.turns;
    expect(first).toMatchObject({ text: 'Let me check.', stopReason: 'tool_calls', usage: { inputTokens: 1_000, outputTokens: 100 } });
    // gpt-4o-mini's price: 0.15 in, 0.60 out per million tokens.
    expect(first!.costUsd).toBeCloseTo((1_000 * 0.15 + 100 * 0.6) / 1e6, 10);
    expect(first!.budgetAfter).toEqual({ tokens: 1_100, tokenLimit: 100_000 });
    // The sub-agent's tokens count against the parent's budget once it settles.
    expect(third!.budgetAfter.tokens).toBe(3 * 1_100 + 1_100);
    expect(last).toMatchObject({ text: 'Paid INV-7 in EUR.', stopReason: 'end_turn', toolCalls: [] });

    const [lookupCall, question] = first!.toolCalls;
    expect(lookupCall).toEqual({ id: 'call-1-1', name: 'lookup', kind: 'tool', arguments: '{"invoice":"INV-7"}', isError: true, result: "Tool 'lookup' failed: the ledger has no INV-7" });
    expect(question).toEqual({ id: 'call-1-2', name: 'ask_human', kind: 'question', arguments: '{"question":"Which currency?"}', isError: false, result: 'EUR', answeredBy: 'person' });
    expect(third!.toolCalls).toEqual([
      { id: 'call-3-1', name: 'pay', kind: 'tool', arguments: '{"invoice":"INV-7","amount":120}', approval: { state: 'approved', by: 'person' }, isError: false, result: 'paid 120 on INV-7' },
    ]);
  });

  it('nests the sub-agent’s run under the call that started it', () => {
    const delegation = finished.turns[1]!.toolCalls[0]!;
    expect(delegation).toMatchObject({ id: 'call-2-1', name: 'delegate_to_clerk', kind: 'delegation', result: clerkAnswer, isError: false });
    expect(delegation.child).toMatchObject({ runId: `${finished.runId}.call-2-1`, agent: 'clerk', model: 'openai:gpt-clerk', state: 'completed', input: 'Which invoice is due?', output: clerkAnswer });
    expect((delegation.child as RunRecord).turns).toHaveLength(1);
  });

  it('shows a running run as far as it has got: the approval it waits for, and no result yet', () => {
    expect(running.state).toBe('running');
    expect(running.output).toBeUndefined();
    expect(running.turns).toHaveLength(3);
    expect(running.turns[2]!.toolCalls[0]).toEqual({ id: 'call-3-1', name: 'pay', kind: 'tool', arguments: '{"invoice":"INV-7","amount":120}', approval: { state: 'pending' } });
  });

  it('gives only the child’s id, agent and state at depth 0', async () => {
    const shallow = await stack.client.record(finished.runId, { depth: 0 });
    expect(shallow.turns[1]!.toolCalls[0]!.child).toEqual({ runId: `${finished.runId}.call-2-1`, agent: 'clerk', state: 'completed' });
  });

  it('follows a run across continue-as-new', async () => {
    const { runId } = await stack.client.start('counter', 'Tick three times.', { turnsPerHistory: 1 });
    await stack.client.result(runId);
    const record = await stack.client.record(runId);
    expect(record).toMatchObject({ state: 'completed', output: 'Three ticks.', input: 'Tick three times.', histories: 4 });
    expect(record.turns.map((turn) => [turn.turn, turn.toolCalls.map((call) => `${call.name}: ${call.result}`)])).toEqual([
      [1, ['tick: tick']],
      [2, ['tick: tick']],
      [3, ['tick: tick']],
      [4, []],
    ]);
    expect(record.usage.outputTokens).toBe(400);
  });

  it('says why a failed run failed', async () => {
    const { runId } = await stack.client.start('doomed', 'Try.');
    await stack.client.result(runId).catch(() => undefined);
    const record = await stack.client.record(runId);
    expect(record).toMatchObject({ state: 'failed', turns: [] });
    expect(record.error).toMatch(/HTTP 400: This model does not exist\./);
  });
});
