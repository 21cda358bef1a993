/**
 * Deep-research jobs run for hours, so a deployment meets jobs in flight: their
 * histories must replay on the current workflow code. The fixtures are histories
 * recorded by earlier releases (0.2.0 ran the citation check as the writer's
 * internal tool; later releases run it as an activity, behind a patch).
 * CAIRN_UPDATE_FIXTURES=<release> adds this run's history as a fixture.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { workflowBundle } from '@cairn/core/worker';
import { researchActivities, researchAgents, researchWorkflowModule, type ResearchResult } from '../index.ts';
import { researchScript, writeFixtureCorpus } from './scripted-research.ts';

const { History } = temporal.api.history.v1;
const fixtures = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));

async function replay(histories: { workflowId: string; history: unknown }[]): Promise<string[]> {
  const failures: string[] = [];
  const bundle = await workflowBundle(join(tmpdir(), 'cairn-replay-bundles'), [researchWorkflowModule]);
  for await (const result of Worker.runReplayHistories({ workflowBundle: bundle }, histories)) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('deep-research histories', { timeout: 120_000 }, () => {
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

  it('replays a job run now', async () => {
    const workflowId = `research-${Date.now().toString(36)}`;
    const handle = await stack.temporal.workflow.start('deepResearchWorkflow', { workflowId, taskQueue: stack.taskQueue, args: [{ question: 'How do tides work?', clarify: false, corpus: writeFixtureCorpus() }] });
    expect(((await handle.result()) as ResearchResult).citations).toEqual({ total: 2, verified: 2 });
    const history = await handle.fetchHistory();
    const activities = (history.events ?? []).flatMap((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(activities).toContain('checkCitations');
    expect(await replay([{ workflowId, history }])).toEqual([]);
    if (process.env.CAIRN_UPDATE_FIXTURES) {
      mkdirSync(fixtures, { recursive: true });
      writeFileSync(join(fixtures, `${process.env.CAIRN_UPDATE_FIXTURES}-research--${workflowId}.binpb`), History.encode(history).finish());
    }
  });

  it('replays every committed history, the citation check run as a tool included', async () => {
    const files = readdirSync(fixtures).filter((file) => file.endsWith('.binpb'));
    expect(files.length).toBeGreaterThan(0);
    const histories = files.map((file) => ({ workflowId: file.split('--')[1]!.replace(/\.binpb$/, ''), history: History.decode(readFileSync(join(fixtures, file))) }));
    const oldCheck = histories.filter(({ history }) => (history.events ?? []).some((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool'));
    expect(oldCheck.length).toBeGreaterThan(0);
    expect(await replay(histories)).toEqual([]);
  });
});
