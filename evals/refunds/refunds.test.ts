// The refunds suite offline: approvals answered by the suite's scripted person, against the mock model server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { reportTable, runSuite } from '@cairn/evals';
import { refundsAgent } from './agent.ts';
import { offlineRefundsModel } from './offline-model.ts';
import refundsSuite from './suite.ts';

describe('the refunds suite, offline', { timeout: 120_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(offlineRefundsModel);
    stack = await startTestStack({ agents: [refundsAgent], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('passes: small refunds run at once, large ones wait for the scripted approval or denial', async () => {
    const report = await runSuite(stack.client, refundsSuite);
    console.log(reportTable(report).join('\n'));
    expect(report.summary).toMatchObject({ cases: 3, passed: 3 });
    const denied = await stack.client.record(report.cases.find((item) => item.caseId === 'large-denied')!.runId);
    const call = denied.turns.flatMap((turn) => turn.toolCalls).find((item) => item.name === 'refund')!;
    expect(call.approval).toEqual({ state: 'denied', by: 'person', reason: 'over budget this month' });
    const approved = await stack.client.record(report.cases.find((item) => item.caseId === 'large-approved')!.runId);
    expect(approved.turns.flatMap((turn) => turn.toolCalls).find((item) => item.name === 'refund')!.approval).toMatchObject({ state: 'approved', by: 'person' });
  });
});
