/**
 * `cairn rewind` as an operator uses it after a bug: a tool returned the wrong field,
 * a fixed build is deployed, and the runs go on from before the mistake, without one
 * model or tool call of the turns they keep made again. Builds are in-process workers
 * with their own build ids; the CLI reaches the same server and blob store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { eventually, MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { askHuman, defineAgent, defineTool, type RunRecord } from '@cairn/core';
import { accountant, clerk, invoiceModel, payInvoice } from '../../core/test/fixtures/invoice-run.ts';
import { runCli } from './cli-process.ts';

const usage = { inputTokens: 500, outputTokens: 50 };
const catalogue: Record<string, { listPrice: number; salePrice: number }> = { 'L-1': { listPrice: 80, salePrice: 60 } };

const findProduct = defineTool({
  name: 'find_product',
  description: 'Finds a product by name.',
  input: z.object({ name: z.string() }),
  execute: ({ name }) => (name === 'lamp' ? 'L-1' : 'S-9'),
});
/** The bug: it reads the list price where the sale price is asked for. */
const buggyPrice = defineTool({ name: 'price_of', description: 'The sale price of a product.', input: z.object({ sku: z.string() }), execute: ({ sku }) => catalogue[sku]!.listPrice });
const fixedPrice = defineTool({ name: 'price_of', description: 'The sale price of a product.', input: z.object({ sku: z.string() }), execute: ({ sku }) => catalogue[sku]!.salePrice });
const quoter = (priceOf: typeof buggyPrice) => defineAgent({ name: 'quoter', model: 'openai:gpt-quoter', instructions: 'Quote prices.', tools: [findProduct, priceOf] });

/** Turns 1 and 2 find products, turn 3 prices the lamp, turn 4 answers. */
function quoterModel(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  if (results.length === 0) return { toolCalls: [{ name: 'find_product', arguments: { name: 'lamp' } }], usage };
  if (results.length === 1) return { toolCalls: [{ name: 'find_product', arguments: { name: 'shade' } }], usage };
  if (results.length === 2) return { toolCalls: [{ name: 'price_of', arguments: { sku: results[0]!.content } }], usage };
  return { text: `The lamp costs ${results[2]!.content}.`, usage };
}

describe('cairn rewind --to-turn', { timeout: 240_000 }, () => {
  let holdClerk = false;
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  const cairn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request) => {
      if (request.system === 'Quote prices.') return quoterModel(request);
      const reply = invoiceModel(request);
      // A clerk held at its model call is a sub-agent still running when its parent is rewound.
      return holdClerk && request.system === 'Find invoices.' ? { ...reply, latencyMs: 60_000 } : reply;
    });
    stack = await startTestStack({ agents: [quoter(buggyPrice), accountant, clerk], mock, address: inject('temporalAddress'), buildId: 'shop-b1' });
    env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-rewind-')), CAIRN_BLOB_DIR: stack.blobDir, CAIRN_TASK_QUEUE: stack.taskQueue, NO_COLOR: '1' };
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('goes on from turn 3 with the fixed tool, and asks the model nothing of turns 1-2 again', async () => {
    const { runId } = await stack.client.start('quoter', 'What does the lamp cost?');
    expect((await stack.client.result(runId)).output).toBe('The lamp costs 80.');
    const before = await stack.client.record(runId);
    expect(before.turns.map((turn) => turn.buildId)).toEqual(['shop-b1', 'shop-b1', 'shop-b1', 'shop-b1']);

    await stack.deploy({ agents: [quoter(fixedPrice), accountant, clerk], buildId: 'shop-b2' });
    const requestsBefore = mock.requests.length;
    const rewound = await cairn('rewind', runId, '--to-turn', '2', '--reason', 'price_of read the list price');
    expect(rewound.code, rewound.stderr).toBe(0);
    expect(rewound.stdout).toContain(`Rewound ${runId} to the end of turn 2: it goes on from turn 3 on the workers running now.`);

    await eventually(async () => ((await stack.client.describe(runId)).status.name === 'COMPLETED' ? true : undefined), 'the rewound run to finish');
    expect((await stack.client.result(runId)).output).toBe('The lamp costs 60.');
    // Turn 3 and turn 4 asked again; every request since carries the results of turns 1 and 2 it kept.
    const since = mock.requests.slice(requestsBefore);
    expect(since.map((request) => toolResults(request).length)).toEqual([2, 3]);
    expect(since.map((request) => toolResults(request).slice(0, 2).map((result) => result.content))).toEqual([
      ['L-1', 'S-9'],
      ['L-1', 'S-9'],
    ]);

    const after = await stack.client.record(runId);
    expect(after.turns.map((turn) => turn.buildId)).toEqual(['shop-b1', 'shop-b1', 'shop-b2', 'shop-b2']);
    expect(after.rewinds).toEqual([{ fromExecution: before.execution, afterTurn: 2, reason: 'cairn rewind to the end of turn 2: price_of read the list price', at: expect.any(String) }]);

    // cairn show marks the rewind and names the execution left behind, which still reads as it ran.
    const shown = await cairn('show', runId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/turn 2 · .* · build shop-b1\n[^]*rewound here on .*: cairn rewind to the end of turn 2: price_of read the list price\n {2}the turns after this one, as first run: cairn show \S+ --execution \S+\n\nturn 3 · .* · build shop-b2/);
    const old = await cairn('show', runId, '--execution', before.execution, '--json');
    expect(old.code, old.stderr).toBe(0);
    expect((JSON.parse(old.stdout) as RunRecord).output).toBe('The lamp costs 80.');
    const wrong = await cairn('show', runId, '--execution', 'no-such-execution');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`Run '${runId}' has no execution 'no-such-execution'.`);
  });

  it('refuses a turn out of range, a sub-agent and a missing run, saying what to do instead', async () => {
    const { runId } = await stack.client.start('quoter', 'What does the lamp cost?');
    await stack.client.result(runId);
    const late = await cairn('rewind', runId, '--to-turn', '4');
    expect(late.code).toBe(1);
    expect(late.stderr).toContain(`Run '${runId}' has 4 turns, and turn 4 is not followed by another: nothing after it to do again.`);
    expect(late.stderr).toContain('Choose a turn from 0 to 3.');

    const root = await payInvoice(stack);
    const delegation = (await stack.client.record(root)).turns[1]!.toolCalls[0]!;
    const child = await cairn('rewind', delegation.child!.runId, '--to-turn', '0');
    expect(child.code).toBe(1);
    expect(child.stderr).toContain('is a sub-agent of');
    expect(child.stderr).toContain(`cairn rewind ${root} --to-turn N`);

    // Continued as new after turn 2: turn 1 is in a history Temporal no longer resets.
    const continued = (await stack.client.start('quoter', 'What does the lamp cost?', { turnsPerHistory: 2 })).runId;
    await stack.client.result(continued);
    const early = await cairn('rewind', continued, '--to-turn', '1');
    expect(early.code).toBe(1);
    expect(early.stderr).toContain(`Run '${continued}' continued as new after turn 2, to keep its history small`);
    expect(early.stderr).toContain('Rewind to turn 2 or later.');

    const neither = await cairn('rewind', runId);
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('cairn rewind needs a run id and --to-turn, or --bad-build.');
    const unknown = await cairn('rewind', 'no-such-run', '--to-turn', '1');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No run with id 'no-such-run'.");
  });

  it('runs a sub-agent started after the point again, and counts it once', async () => {
    const runId = await payInvoice(stack);
    const before = await stack.client.record(runId);
    const childExecution = (await stack.client.describe(before.turns[1]!.toolCalls[0]!.child!.runId)).runId;

    const rewound = await cairn('rewind', runId, '--to-turn', '1');
    expect(rewound.code, rewound.stderr).toBe(0);
    // Turn 2 delegates again; turn 3 asks for the approval again, since the person's came after the point.
    await eventually(async () => ((await stack.client.pending(runId))[0]?.kind === 'approval' ? true : undefined), 'the approval asked again');
    await stack.client.decide(runId, { approved: true });
    await stack.client.result(runId);

    const after = await stack.client.record(runId);
    const child = after.turns[1]!.toolCalls[0]!.child!;
    expect((await stack.client.describe(child.runId)).runId).not.toBe(childExecution);
    expect(after.turns.map((turn) => turn.budgetAfter)).toEqual(before.turns.map((turn) => turn.budgetAfter));
    expect(after.output).toBe(before.output);
  });

  it('cancels a sub-agent still running after the point before the new execution starts its own', async () => {
    holdClerk = true;
    const { runId } = await stack.client.start('accountant', 'Pay whatever invoice is due.');
    const question = await eventually(async () => (await stack.client.pending(runId))[0], 'the question');
    await stack.client.answer(runId, 'EUR', question.id);
    const childId = `${runId}.call-2-1`;
    const heldExecution = await eventually(async () => {
      const child = await stack.client.describe(childId).catch(() => undefined);
      return child?.status.name === 'RUNNING' ? child.runId : undefined;
    }, 'the clerk to start');

    const dryRun = await cairn('rewind', runId, '--to-turn', '1', '--dry-run');
    expect(dryRun.stdout).toContain(`Would rewind ${runId} to the end of turn 1; 1 sub-agent run started after it would be cancelled. Nothing was changed.`);
    holdClerk = false;
    const rewound = await cairn('rewind', runId, '--to-turn', '1');
    expect(rewound.code, rewound.stderr).toBe(0);
    expect(rewound.stdout).toContain('1 sub-agent run started after it was cancelled');
    expect((await stack.temporal.workflow.getHandle(childId, heldExecution).describe()).status.name).toMatch(/CANCELLED|TERMINATED/);

    await eventually(async () => ((await stack.client.pending(runId))[0]?.kind === 'approval' ? true : undefined), 'the approval');
    await stack.client.decide(runId, { approved: true });
    expect((await stack.client.result(runId)).output).toBe('Paid INV-7 in EUR.');
    const record = await stack.client.record(runId);
    // The held clerk never answered: the budget counts the clerk that did, once.
    const perCall = 1_100;
    expect(record.turns[2]!.budgetAfter.tokens).toBe(3 * perCall + perCall);
    expect((await stack.client.describe(childId)).runId).not.toBe(heldExecution);
  });
});

/** The refunds desk: it asks which order, reads its total, asks to confirm, and refunds. */
const orderTotals: Record<string, number> = { 'A-1': 12, 'A-2': 30, 'A-3': 7, 'A-4': 41, 'A-5': 19, 'B-1': 5, 'B-2': 8, 'C-1': 3 };
const orderTotal = (corrupt: boolean) =>
  defineTool({
    name: 'order_total',
    description: 'The total of an order, in euros.',
    input: z.object({ order: z.string() }),
    // Build b1's bug: cents where euros are meant.
    execute: ({ order }) => (corrupt ? orderTotals[order]! * 100 : orderTotals[order]!),
  });
const refunder = (corrupt: boolean) => defineAgent({ name: 'refunder', model: 'openai:gpt-refunds', instructions: 'Refund orders.', tools: [orderTotal(corrupt), askHuman()] });

function refunderModel(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  if (results.length === 0) return { toolCalls: [{ name: 'ask_human', arguments: { question: 'Which order?' } }], usage };
  if (results.length === 1) return { toolCalls: [{ name: 'order_total', arguments: { order: results[0]!.content } }], usage };
  if (results.length === 2) return { toolCalls: [{ name: 'ask_human', arguments: { question: `Refund ${results[1]!.content} EUR?` } }], usage };
  return { text: `Refunded ${results[1]!.content} EUR on ${results[0]!.content}.`, usage };
}

describe('cairn rewind --bad-build', { timeout: 300_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  const cairn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(refunderModel);
    stack = await startTestStack({ agents: [refunder(false)], mock, address: inject('temporalAddress'), buildId: 'desk-b0' });
    env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-bad-build-')), CAIRN_BLOB_DIR: stack.blobDir, CAIRN_TASK_QUEUE: stack.taskQueue, NO_COLOR: '1' };
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  const question = (runId: string, text: RegExp) =>
    eventually(async () => {
      const [pending] = await stack.client.pending(runId);
      return pending?.kind === 'question' && text.test(pending.question) ? pending : undefined;
    }, `${runId} to ask ${text}`);
  const executionOf = async (runId: string) => (await stack.client.describe(runId)).runId;

  it('resets every run that took a step on b1, and no other; they finish right on b2', async () => {
    // Two runs finish on b0 before the bad build comes.
    const early = await Promise.all(['B-1', 'B-2'].map(async (order) => (await stack.client.start('refunder', `Refund ${order}.`)).runId));
    for (const [index, runId] of early.entries()) {
      await stack.client.answer(runId, ['B-1', 'B-2'][index]!, (await question(runId, /Which order/)).id);
      await stack.client.answer(runId, 'yes', (await question(runId, /Refund/)).id);
      expect((await stack.client.result(runId)).output).toBe(`Refunded ${orderTotals[['B-1', 'B-2'][index]!]} EUR on ${['B-1', 'B-2'][index]}.`);
    }
    // Five long-lived runs start on b0 and wait for a person...
    const orders = ['A-1', 'A-2', 'A-3', 'A-4', 'A-5'];
    const runs = await Promise.all(orders.map(async (order) => (await stack.client.start('refunder', `Refund ${order}.`)).runId));
    await Promise.all(runs.map((runId) => question(runId, /Which order/)));
    // ...then b1 is deployed: it reads each total wrong and waits for the confirmation.
    await stack.deploy({ agents: [refunder(true)], buildId: 'desk-b1' });
    await Promise.all(runs.map(async (runId, index) => stack.client.answer(runId, orders[index]!, (await question(runId, /Which order/)).id)));
    await Promise.all(runs.map((runId, index) => question(runId, new RegExp(`Refund ${orderTotals[orders[index]!]! * 100} EUR`))));
    // b2 fixes it; a run started now never meets b1.
    await stack.deploy({ agents: [refunder(false)], buildId: 'desk-b2' });
    const late = (await stack.client.start('refunder', 'Refund C-1.')).runId;
    await question(late, /Which order/);
    const untouched = [...early, late];
    const executionsBefore = await Promise.all(untouched.map(executionOf));

    const dryRun = await cairn('rewind', '--bad-build', 'desk-b1', '--dry-run', '--json');
    expect(dryRun.code, dryRun.stderr).toBe(0);
    const planned = JSON.parse(dryRun.stdout) as { runs: { runId: string; point?: { keptTurns: number } }[] };
    expect(planned.runs.map((run) => run.runId).sort()).toEqual([...runs].sort());
    // Each keeps turn 1 (b0 asked the question) and goes back to just before b1 took the answer.
    expect(planned.runs.map((run) => run.point?.keptTurns)).toEqual([1, 1, 1, 1, 1]);
    expect(await Promise.all(runs.map(async (runId) => (await stack.client.record(runId)).rewinds))).toEqual([undefined, undefined, undefined, undefined, undefined]);

    const rewound = await cairn('rewind', '--bad-build', 'desk-b1', '--reason', 'totals in cents');
    expect(rewound.code, rewound.stderr).toBe(0);
    expect(rewound.stdout).toContain('5 runs took a step on build desk-b1');
    expect(rewound.stdout).toMatch(/\[5\/5\] \S+ rewound to workflow task \d+, keeping 1 turn/);
    expect(rewound.stdout).toContain('Rewound 5 runs; 0 left alone; 0 could not be rewound.');

    // b2 reads the totals right; the person confirms, and each run refunds the right amount.
    await Promise.all(runs.map(async (runId, index) => stack.client.answer(runId, 'yes', (await question(runId, new RegExp(`Refund ${orderTotals[orders[index]!]} EUR`))).id)));
    const outputs = await Promise.all(runs.map(async (runId) => (await stack.client.result(runId)).output));
    expect(outputs).toEqual(orders.map((order) => `Refunded ${orderTotals[order]} EUR on ${order}.`));
    for (const runId of runs) {
      const record = await stack.client.record(runId);
      expect(record.turns.map((turn) => turn.buildId)).toEqual(['desk-b0', 'desk-b2', 'desk-b2', 'desk-b2']);
    }

    expect(await Promise.all(untouched.map(executionOf))).toEqual(executionsBefore);
    const again = await cairn('rewind', '--bad-build', 'desk-b1');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('Rewound 0 runs');
  });
});
