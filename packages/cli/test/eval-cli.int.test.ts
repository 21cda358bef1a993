/**
 * `cairn eval` as a user runs it: the orders suite against the mock model server
 * on an in-process worker, its report saved as a baseline, the broken agent's
 * suite failing against that baseline, and bad input refused in one line.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { brokenOrdersAgent, ordersAgent } from '../../../evals/orders/agent.ts';
import { ordersSuite } from '../../../evals/orders/suite.ts';
import { offlineOrdersModel } from '../../../evals/orders/offline-model.ts';
import { runCli, startWorkerProcess, type WorkerProcess } from './cli-process.ts';

const evals = fileURLToPath(new URL('../../../evals/', import.meta.url));

describe('cairn eval', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const cairn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(offlineOrdersModel);
    stack = await startTestStack({ agents: [ordersAgent, brokenOrdersAgent], mock, address: inject('temporalAddress') });
    dir = mkdtempSync(join(tmpdir(), 'cairn-eval-'));
    env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: dir, CAIRN_BLOB_DIR: stack.blobDir, CAIRN_TASK_QUEUE: stack.taskQueue, NO_COLOR: '1' };
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('runs a suite, saves its report, and fails a broken agent against it as a baseline', async () => {
    const config = join(evals, 'cairn.config.ts');
    const good = await cairn('eval', join(evals, 'orders/suite.ts'), '--config', config, '--out', join(dir, 'baseline.json'));
    expect(good.code, good.stderr).toBe(0);
    expect(good.stderr).toMatch(/Eval orders: 5 cases on openai:gpt-4\.1-mini · up to 200,000 tokens \(40,000 tokens a case\), at most \$\d+\.\d\d at its prices/);
    expect(good.stdout).toMatch(/^pass {2}shipped {5}1\.00/m);
    expect(good.stdout).toContain('5 of 5 passed (100.0%) · mean score 1.000');
    const suiteId = /Suite id (\S+):/.exec(good.stdout)![1]!;
    expect(JSON.parse(readFileSync(join(dir, 'baseline.json'), 'utf8'))).toMatchObject({ suite: 'orders', suiteId, summary: { passRate: 1 } });

    const broken = await cairn('eval', join(evals, 'orders/broken-suite.ts'), '--config', config, '--baseline', join(dir, 'baseline.json'), '--out', join(dir, 'broken.md'));
    expect(broken.code, broken.stderr).toBe(1);
    expect(broken.stdout).toContain('1 of 5 passed (20.0%)');
    expect(broken.stdout).toContain('pass rate 100.0% → 20.0%; mean score 1.000 → 0.867 — worse than the baseline allows');
    expect(broken.stdout).toContain('regressed: shipped (1.00 → 0.83)');
    expect(readFileSync(join(dir, 'broken.md'), 'utf8')).toContain('| ❌ | shipped | 0.83 |');

    // The same suite id again: every case comes from the earlier run, and the model is not called.
    const requests = mock.requests.length;
    const resumed = await cairn('eval', join(evals, 'orders/suite.ts'), '--config', config, '--suite-id', suiteId, '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ suiteId, summary: { passed: 5, reused: 5 } });
    expect(mock.requests.length).toBe(requests);
  });

  it('runs an experiment: the same cases with two agent versions, side by side, with a note on chance', async () => {
    const config = join(evals, 'cairn.config.ts');
    const result = await cairn('eval', join(evals, 'orders/suite.ts'), '--versus', join(evals, 'orders/broken-suite.ts'), '--config', config);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^case\s+orders\s+orders-broken\s+change$/);
    expect(result.stdout).toMatch(/^shipped\s+pass 1\.00\s+FAIL 0\.83\s+-0\.17$/m);
    expect(result.stdout).toMatch(/^unknown\s+pass 1\.00\s+pass 1\.00\s+=$/m);
    expect(result.stdout).toMatch(/^pass rate · mean\s+100\.0% · 1\.000\s+20\.0% · 0\.867$/m);
    expect(result.stdout).toContain('4 of 5 cases came out differently (4 passed only with the first, 0 only with the second); exact sign test p = 0.125: this could be chance; with 5 cases, only a large difference would show.');
  });

  it('refuses a file that is not a suite, a suite whose agent is not served, and a baseline that is not a report', async () => {
    const notASuite = await cairn('eval', join(evals, 'cairn.config.ts'));
    expect(notASuite.code).not.toBe(0);
    expect(notASuite.stderr).toMatch(/cairn\.config\.ts must export default defineSuite/);
    const unserved = await cairn('eval', join(evals, 'orders/suite.ts'));
    expect(unserved.stderr).toMatch(/runs the agent 'eval-orders', which the config does not serve/);
    const badBaseline = await cairn('eval', join(evals, 'orders/suite.ts'), '--baseline', join(evals, 'orders/cases.jsonl'));
    expect(badBaseline.stderr).toMatch(/Cannot read the baseline .*cases\.jsonl: .*JSON/);
  });

  it('resumes a suite whose worker was killed halfway, running no finished case again', { timeout: 360_000 }, async () => {
    // Slow answers, so the kill lands with some cases finished and some in flight.
    mock.handle((request) => ({ ...offlineOrdersModel(request), latencyMs: 700 }));
    const taskQueue = `eval-crash-${Date.now().toString(36)}`;
    const workerEnv = { ...env, CAIRN_TASK_QUEUE: taskQueue, OPENAI_API_KEY: 'test', OPENAI_BASE_URL: mock.openaiBaseUrl };
    const config = join(evals, 'cairn.config.ts');
    const workers: WorkerProcess[] = [await startWorkerProcess(['--config', config], workerEnv)];
    try {
      const suiteId = `crash-${Date.now().toString(36)}`;
      const runIds = ['shipped', 'delivered', 'cancelled', 'processing', 'unknown'].map((id) => `eval-${suiteId}-${id}`);
      const evaluation = runCli(['eval', fileURLToPath(new URL('./fixtures/orders-crash.suite.ts', import.meta.url)), '--config', config, '--suite-id', suiteId, '--concurrency', '2', '--json'], workerEnv, 300_000);
      const closed = async () => (await Promise.all(runIds.map((id) => stack.client.describe(id).then((run) => (run.status.name === 'COMPLETED' ? id : undefined), () => undefined)))).filter((id) => id !== undefined);
      const finished = await eventually(async () => ((await closed()).length >= 2 ? closed() : undefined), 'two cases finished', 120_000);
      await workers[0]!.kill();
      const killedAt = mock.requests.length;
      workers.push(await startWorkerProcess(['--config', config], workerEnv));

      const result = await evaluation;
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ suiteId, summary: { cases: 5, passed: 5 } });
      // The cases finished before the kill made no request after it; every case asked its question in one run only.
      const questions = ordersSuite.cases.filter((item) => finished.includes(`eval-${suiteId}-${item.id}`)).map((item) => item.input as string);
      expect(mock.requests.slice(killedAt).filter((request) => questions.includes(request.messages[0]?.content ?? ''))).toEqual([]);
      console.log(`killed the worker with ${finished.length} of 5 cases finished; ${mock.requests.length - killedAt} model requests after the kill`);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  });
});
