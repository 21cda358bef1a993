/**
 * The orders suite offline, against the mock model server: it checks the eval
 * machinery, not a model. The agent as shipped passes; run again with the same
 * suite id, nothing runs twice; the agent with a tool that returns the wrong
 * field scores lower and fails the comparison with the first report.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { compareWithBaseline, comparisonLines, defineSuite, judgeInstructions, judgePrompt, llmJudge, newSuiteId, reportMarkdown, reportTable, runSuite, type SuiteReport } from '@cairn/evals';
import { evalJudge } from '../judge.ts';
import { brokenOrdersAgent, ordersAgent } from './agent.ts';
import { offlineOrdersModel, offlineVerdict } from './offline-model.ts';
import { ordersSuite } from './suite.ts';

describe('the orders suite, offline', { timeout: 120_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let baseline: SuiteReport;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(offlineOrdersModel);
    stack = await startTestStack({ agents: [ordersAgent, brokenOrdersAgent, evalJudge], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('passes every case with the agent as shipped, and a suite run again runs nothing twice', async () => {
    const suiteId = newSuiteId('orders');
    baseline = await runSuite(stack.client, ordersSuite, { suiteId, concurrency: 3 });
    console.log(reportTable(baseline).join('\n'));
    expect(baseline.summary).toMatchObject({ cases: 5, passed: 5, passRate: 1, reused: 0 });
    expect(baseline.cases.map((item) => item.runId)).toEqual(ordersSuite.cases.map((item) => `eval-${suiteId}-${item.id}`));
    // Each case ran within its share of the suite's budget.
    const record = await stack.client.record(baseline.cases[0]!.runId);
    expect(record.budget.tokens).toBe(40_000);

    const requests = mock.requests.length;
    const again = await runSuite(stack.client, ordersSuite, { suiteId });
    expect(again.summary).toMatchObject({ passed: 5, reused: 5 });
    expect(mock.requests.length).toBe(requests);
  });

  it('scores an agent whose tool returns the wrong field lower, and the baseline comparison fails', async () => {
    const broken = await runSuite(stack.client, defineSuite({ ...ordersSuite, name: 'orders-broken', agent: brokenOrdersAgent }), { concurrency: 5 });
    console.log(reportTable(broken).join('\n'));
    expect(broken.summary.passRate).toBe(0.2);
    expect(broken.cases.find((item) => item.caseId === 'shipped')!.scores).toContainEqual({ scorer: 'includes', score: 0.5, pass: false, note: 'missing "shipped"' });

    const comparison = compareWithBaseline(broken, baseline);
    expect(comparison.failed).toBe(true);
    expect(comparison.regressions.map((item) => item.caseId).sort()).toEqual(['cancelled', 'delivered', 'processing', 'shipped']);
    expect(comparisonLines(comparison)[0]).toBe('pass rate 100.0% → 20.0%; mean score 1.000 → 0.867 — worse than the baseline allows');
    const markdown = reportMarkdown(broken, comparison);
    console.log(markdown);
    expect(markdown).toContain('| ❌ | shipped | 0.83 |');
  });

  it('grades answers with an LLM judge: it is asked the rubric prompt, and its tokens count in the case and the suite budget', async () => {
    const rubric = 'The answer names the order number and its status, and nothing it could not know.';
    const suite = defineSuite({ ...ordersSuite, name: 'orders-judged', cases: ordersSuite.cases.slice(0, 2), scorers: [llmJudge({ judge: evalJudge, rubric })], budget: { tokens: 10_000 } });
    const report = await runSuite(stack.client, suite);
    console.log(reportTable(report).join('\n'));
    expect(report.summary).toMatchObject({ cases: 2, passed: 2 });
    expect(report.cases[0]!.scores).toEqual([{ scorer: 'llm-judge', score: offlineVerdict.score, pass: true }]);

    const asked = mock.requests.filter((request) => request.system === judgeInstructions);
    expect(asked).toHaveLength(2);
    const shipped = report.cases.find((item) => item.caseId === 'shipped')!;
    const question = asked.find((request) => request.messages[0]!.content.includes('1042'))!;
    expect(question.messages[0]!.content).toBe(judgePrompt(rubric, 'Where is my order 1042?', ['1042', 'shipped'], 'Order 1042 is shipped.'));
    // The judge's run is the suite's too: its tokens are in the case's, within the case's share of the budget.
    const agentRun = await stack.client.result(shipped.runId);
    const judged = await stack.client.result(`${shipped.runId}-eval-judge-1`);
    expect(shipped.tokens).toBe(agentRun.usage.inputTokens + agentRun.usage.outputTokens + judged.usage.inputTokens + judged.usage.outputTokens);
    expect(judged.budget?.limits.tokens).toBe(5_000 - (agentRun.usage.inputTokens + agentRun.usage.outputTokens));
  });
});
