/**
 * `cairn stats` over runs whose every figure the test scripts itself: tool latencies,
 * a tool that fails, one that is retried, a person who answers late, a run that runs
 * out of budget and one that is cancelled. Each figure the command prints is checked
 * against what the script says it must be. The runs live in a namespace of their own,
 * so no other test's runs count.
 */
import { mkdtempSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { Client, Connection } from '@temporalio/client';
import { createTestNamespace, eventually, MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { askHuman, costOf, defaultPrices, defineAgent, defineTool, ToolError, type TokenUsage } from '@cairn/core';
import { collectDigests, type StatsReport } from '@cairn/core/analytics';
import { runCli } from './cli-process.ts';

const usage: TokenUsage = { inputTokens: 400, outputTokens: 100, cachedInputTokens: 40 };
const price = defaultPrices['openai:gpt-4o-mini']!;

/** Sleeps as long as it is told, and answers with a result of that many bytes / 10. Keeps an account of its calls. */
const lookupCalls: number[] = [];
const slowLookup = defineTool({
  name: 'slow_lookup',
  description: 'Looks something up, slowly.',
  input: z.object({ ms: z.number() }),
  execute: async ({ ms }) => {
    lookupCalls.push(ms);
    await sleep(ms);
    return 'x'.repeat(ms / 10);
  },
});
/** Always fails: the model is handed the error. */
const broken = defineTool({
  name: 'broken',
  description: 'Never works.',
  input: z.object({}),
  execute: () => {
    throw new Error('the backend is gone');
  },
});
/** Busy twice per call, then answers: two retries. */
const attemptsByCall = new Map<string, number>();
const flaky = defineTool({
  name: 'flaky',
  description: 'Works on the third try.',
  input: z.object({}),
  execute: (_args, context) => {
    const attempt = (attemptsByCall.get(context.idempotencyKey) ?? 0) + 1;
    attemptsByCall.set(context.idempotencyKey, attempt);
    if (attempt <= 2) throw new ToolError('busy', { kind: 'rate_limited', code: 'busy', retryAfterMs: 50 });
    return 'done';
  },
});

const desk = defineAgent({ name: 'desk', model: 'openai:gpt-4o-mini', instructions: 'Desk.', tools: [slowLookup, broken, flaky, askHuman()] });
const tight = defineAgent({ name: 'tight', model: 'openai:gpt-4o-mini', instructions: 'Tight.', tools: [slowLookup], budget: { tokens: 1_000 }, onBudgetExhausted: 'stop', maxOutputTokens: 100 });

/** What each kind of run does, turn by turn: the test's own account of every figure. */
const lookupsTurn1 = [200, 400, 600];
const lookupsTurn2 = [800, 1_000];
function model(request: MockRequest): ScriptedReply {
  const turn = toolResults(request).length === 0 ? 1 : request.messages.filter((message) => message.role === 'assistant').length + 1;
  const task = request.messages[0]?.content ?? '';
  if (request.system === 'Tight.') return { toolCalls: [{ name: 'slow_lookup', arguments: { ms: 0 } }], usage };
  if (task === 'lookups' && turn === 1) return { toolCalls: [...lookupsTurn1.map((ms) => ({ name: 'slow_lookup', arguments: { ms } })), { name: 'broken', arguments: {} }], usage };
  if (task === 'lookups' && turn === 2) return { toolCalls: [...lookupsTurn2.map((ms) => ({ name: 'slow_lookup', arguments: { ms } })), { name: 'flaky', arguments: {} }], usage };
  if ((task === 'question' || task === 'wait') && turn === 1) return { toolCalls: [{ name: 'ask_human', arguments: { question: 'Which one?' } }], usage };
  return { text: 'Done.', usage };
}

describe('cairn stats', { timeout: 240_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  let namespace: string;
  const cairn = async (...args: string[]) => {
    const result = await runCli(['stats', '--json', ...args], env);
    expect(result.code, result.stderr).toBe(0);
    return { report: JSON.parse(result.stdout) as StatsReport & { histories: { fetched: number; cached: number } }, stderr: result.stderr };
  };
  let answeredAfterMs = 0;
  let cancelledAfterMs = 0;
  let lastClosedAt = 0;

  beforeAll(async () => {
    namespace = await createTestNamespace(inject('temporalAddress'));
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({ agents: [desk, tight], mock, address: inject('temporalAddress'), namespace });
    env = { TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_NAMESPACE: namespace, CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-stats-')), CAIRN_BLOB_DIR: stack.blobDir, CAIRN_TASK_QUEUE: stack.taskQueue, NO_COLOR: '1' };

    const lookups = await stack.client.start('desk', 'lookups');
    const question = await stack.client.start('desk', 'question');
    const spender = await stack.client.start('tight', 'spend');
    const waiting = await stack.client.start('desk', 'wait');
    const pendingOf = (runId: string) => eventually(async () => (await stack.client.pending(runId))[0], `${runId} to ask`);

    const asked = Date.now();
    const pending = await pendingOf(question.runId);
    await sleep(1_500);
    answeredAfterMs = Date.now() - asked;
    await stack.client.answer(question.runId, 'the first', pending.id);

    await pendingOf(waiting.runId);
    const waitAsked = Date.now();
    await sleep(1_000);
    await stack.client.cancel(waiting.runId);
    cancelledAfterMs = Date.now() - waitAsked;

    for (const run of [lookups, question, spender]) await stack.client.result(run.runId);
    await eventually(async () => ((await stack.client.describe(waiting.runId)).status.name === 'CANCELLED' ? true : undefined), 'the cancellation');
    lastClosedAt = Date.now();
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('counts every tool call, error, retry and latency the script made', async () => {
    const { report, stderr } = await cairn();
    expect(stderr).toMatch(/Read 4 histories: 4 fetched, 0 from the cache/);
    expect(report.runs).toBe(4);

    const tool = (name: string) => report.tools.find((candidate) => candidate.name === name)!;
    const lookup = tool('slow_lookup');
    const scripted = [...lookupCalls].sort((a, b) => a - b);
    expect(scripted.filter((ms) => ms > 0)).toEqual([...lookupsTurn1, ...lookupsTurn2]);
    expect(lookup).toMatchObject({ calls: scripted.length, toolErrors: 0, activityFailures: 0, retries: 0 });
    // Latencies: each call's scripted sleep, plus the round trips around it.
    const nearestRank = (fraction: number) => scripted[Math.ceil(fraction * scripted.length) - 1]!;
    for (const [figure, expected] of [
      [lookup.p50Ms, nearestRank(0.5)],
      [lookup.p95Ms, nearestRank(0.95)],
      [lookup.maxMs, 1_000],
    ] as const) {
      expect(figure).toBeGreaterThanOrEqual(expected);
      expect(figure).toBeLessThan(expected + 1_500);
    }
    const bytes = scripted.map((ms) => ms / 10);
    expect(lookup.meanResultBytes).toBe(Math.round(bytes.reduce((sum, size) => sum + size, 0) / bytes.length));
    expect(tool('broken')).toMatchObject({ calls: 1, toolErrors: 1, activityFailures: 0, retries: 0 });
    expect(tool('flaky')).toMatchObject({ calls: 1, toolErrors: 0, activityFailures: 0, retries: 2 });
    expect(report.tools.map((candidate) => candidate.name).sort()).toEqual(['broken', 'flaky', 'slow_lookup']);

    // The retried call's latency includes its two failed attempts and the waits between them.
    expect(tool('flaky').p95Ms).toBeGreaterThanOrEqual(2 * 50);
    expect(report.top.slowestTools.map((candidate) => candidate.name)).toEqual([...report.tools].sort((a, b) => b.p95Ms! - a.p95Ms!).map((candidate) => candidate.name));
    expect(report.top.mostFailingTools.map((candidate) => candidate.name)).toEqual(['broken']);
  });

  it('counts runs by outcome, turns, tokens, cost and the time people took, per agent and per model', async () => {
    const { report } = await cairn();
    expect(report.histories).toEqual({ fetched: 0, cached: 4 });
    const deskRequests = mock.requests.filter((request) => request.system === 'Desk.').length;
    const tightRequests = mock.requests.filter((request) => request.system === 'Tight.').length;
    const totals = (calls: number) => ({
      turns: calls,
      usage: { inputTokens: calls * usage.inputTokens, outputTokens: calls * usage.outputTokens, cachedInputTokens: calls * usage.cachedInputTokens },
    });

    const deskStats = report.agents.find((agent) => agent.name === 'desk')!;
    expect(deskStats).toMatchObject({ runs: 3, outcomes: { completed: 2, cancelled: 1, budget_exhausted: 0, failed: 0, running: 0 }, ...totals(deskRequests) });
    expect(deskStats.costUsd).toBeCloseTo(deskRequests * costOf(usage, price), 10);
    // The answer came about 1.5 s after the question; the cancelled run waited about 1 s.
    expect(deskStats.humanWaitMs).toBeGreaterThanOrEqual(1_500 + 1_000 - 200);
    expect(deskStats.humanWaitMs).toBeLessThan(answeredAfterMs + cancelledAfterMs + 2_000);

    const tightStats = report.agents.find((agent) => agent.name === 'tight')!;
    expect(tightStats).toMatchObject({ runs: 1, outcomes: { budget_exhausted: 1, completed: 0 }, humanWaitMs: 0, ...totals(tightRequests) });

    expect(report.models).toEqual([{ name: 'openai:gpt-4o-mini', runs: 4, outcomes: expect.objectContaining({ completed: 2, cancelled: 1, budget_exhausted: 1 }), ...totals(deskRequests + tightRequests), costUsd: expect.closeTo((deskRequests + tightRequests) * costOf(usage, price), 10), humanWaitMs: deskStats.humanWaitMs }]);
    const lookupsTurns = 3;
    expect(report.top.mostExpensiveRuns[0]!).toMatchObject({ agent: 'desk', costUsd: expect.closeTo(lookupsTurns * costOf(usage, price), 10) });
  });

  it('filters by agent and by age, and reads what it read before from its cache', async () => {
    const byAgent = await cairn('--agent', 'tight');
    expect(byAgent.report.runs).toBe(1);
    expect(byAgent.report.agents.map((agent) => agent.name)).toEqual(['tight']);

    await sleep(1_000);
    const { runId } = await stack.client.start('desk', 'quick');
    await stack.client.result(runId);
    // Only the run that is new is fetched; the rest come from the cache.
    const whole = await cairn();
    expect(whole.report.runs).toBe(5);
    expect(whole.report.histories).toEqual({ fetched: 1, cached: 4 });

    const sinceSeconds = ((Date.now() - lastClosedAt) / 1000 - 0.5).toFixed(1);
    const recent = await cairn('--since', `${sinceSeconds}s`);
    expect(recent.report.runs).toBe(1);
    expect(recent.report.agents).toEqual([expect.objectContaining({ name: 'desk', runs: 1, turns: 1 })]);
    expect(recent.report.histories).toEqual({ fetched: 0, cached: 1 });

    const printed = await runCli(['stats'], env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/^5 runs\n\nTools\n {2}tool +calls +errors +failed +retries +p50 +p95 +max +mean result\n {2}slow_lookup +7 +0 +0 +0 +\d+ ms +1\.\d\d s +1\.\d\d s +43 B\n/);
    expect(printed.stdout).toMatch(/\nAgents\n {2}agent +runs +outcomes +turns .*\n {2}desk +4 +completed 3, cancelled 1 +/);
    expect(printed.stdout).toContain('  most failing tools:    broken 1\n');

    // Counted at the server's door: a fresh client, every history request it makes.
    const connection = await Connection.connect({ address: inject('temporalAddress') });
    let historyRequests = 0;
    const getHistory = connection.workflowService.getWorkflowExecutionHistory.bind(connection.workflowService);
    connection.workflowService.getWorkflowExecutionHistory = ((request: Parameters<typeof getHistory>[0]) => {
      historyRequests += 1;
      return getHistory(request);
    }) as typeof getHistory;
    const cacheFile = join(env.CAIRN_HOME!, 'stats', `${namespace}.json`);
    const cached = await collectDigests(new Client({ connection, namespace }), { cacheFile });
    await connection.close();
    expect(cached).toMatchObject({ fetched: 0, cached: 5 });
    expect(historyRequests).toBe(0);
  });
});
