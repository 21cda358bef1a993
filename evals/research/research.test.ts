// The research suite offline: the deep-research job on its corpus, its model scripted (the mock model server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { researchActivities, researchAgents, researchWorkflowModule } from '@cairn/agents';
import { reportTable, runSuite } from '@cairn/evals';
import { researchScript } from '../../agents/deep-research/test/scripted-research.ts';
import researchSuite from './suite.ts';

describe('the research suite, offline', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(researchScript());
    stack = await startTestStack({ agents: researchAgents({ model: 'openai:gpt-test' }), mock, workflowModules: [researchWorkflowModule], activities: researchActivities });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('scores each report by its verified citations and the key facts it covers', async () => {
    const report = await runSuite(stack.client, researchSuite, { concurrency: 2 });
    console.log(reportTable(report).join('\n'));
    expect(report.summary).toMatchObject({ cases: 2, passed: 2 });
    for (const item of report.cases) expect(item.scores.find((score) => score.scorer === 'citations')).toEqual({ scorer: 'citations', score: 1, pass: true });
    // Each case's job ran within its share of the suite's budget: 400,000 tokens.
    const job = await stack.client.result(report.cases[0]!.runId);
    expect(job.budget?.limits.tokens).toBe(400_000);
  });
});
