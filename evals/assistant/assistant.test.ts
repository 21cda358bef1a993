// The assistant suite offline, against the mock model server: the machinery, not a model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { reportTable, runSuite } from '@cairn/evals';
import { offlineAssistantModel } from './offline-model.ts';
import assistantSuite, { assistantAgent } from './suite.ts';

describe('the assistant suite, offline', { timeout: 120_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(offlineAssistantModel);
    stack = await startTestStack({ agents: [assistantAgent], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('passes: the clock asked in the right zone for times, not for arithmetic', async () => {
    const report = await runSuite(stack.client, assistantSuite);
    console.log(reportTable(report).join('\n'));
    expect(report.summary).toMatchObject({ cases: 3, passed: 3 });
    expect(report.cases.find((item) => item.caseId === 'tokyo-time')!.output).toMatch(/^In Tokyo it is \w+day/);
  });
});
