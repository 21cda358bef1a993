/**
 * A supervisor fans out to five researcher sub-agents (child workflows) served by a
 * `cairn worker` process, which is killed with SIGKILL while the children wait for
 * their (slow) model replies. A new worker finishes the tree: each child started
 * once, each completed model call served once, and `cairn status` shows the tree.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, completingAttempts, toolResults, type MockRequest, type ScriptedReply, eventually } from '@cairn/testing';
import { CairnClient, type AgentRunResult, type RunStatus } from '@cairn/core';
import { runCli, startWorkerProcess, type WorkerProcess } from './cli-process.ts';

const config = fileURLToPath(new URL('./fixtures/fanout.config.ts', import.meta.url));
const researcherPrompt = 'You research one question.';
const questions = [0, 1, 2, 3, 4].map((index) => `question ${index}`);

/** The supervisor delegates five questions in one turn, then joins the answers; each researcher answers after 1.5 s. */
function model(request: MockRequest): ScriptedReply {
  if (request.system === researcherPrompt) {
    const task = request.messages[0]?.role === 'user' ? request.messages[0].content : '';
    return { latencyMs: 1500, text: `answer to ${task}`, usage: { inputTokens: 10, outputTokens: 5 } };
  }
  const results = toolResults(request);
  if (results.length === 0) {
    return { toolCalls: questions.map((task, index) => ({ id: `d${index}`, name: 'delegate_to_researcher', arguments: { task } })) };
  }
  return { text: results.map((result) => result.content).join(' | ') };
}

/**
 * Successful model calls, keyed by the conversation they answered: (system prompt,
 * task, conversation length). The task tells the five researchers apart, whose
 * prompts and conversation lengths are the same.
 */
function servedByConversation(requests: readonly MockRequest[]): Map<string, number> {
  const served = new Map<string, number>();
  for (const request of requests) {
    if (request.status !== 200) continue;
    const task = request.messages[0]?.role === 'user' ? request.messages[0].content : '';
    const key = `${request.system} / ${task} / ${request.messages.length}`;
    served.set(key, (served.get(key) ?? 0) + 1);
  }
  return served;
}


// Each `cairn` is a fresh Node process that compiles TypeScript and bundles workflows: slow on a loaded 2-core machine.
describe('a fan-out of five sub-agents when its worker is killed', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let connection: Connection;
  let temporal: Client;
  let client: CairnClient;
  let env: NodeJS.ProcessEnv;
  const workers: WorkerProcess[] = [];
  /** The supervisor run, once it has completed. */
  let parentId: string | undefined;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    connection = await Connection.connect({ address: inject('temporalAddress') });
    temporal = new Client({ connection });
    const taskQueue = `fanout-crash-${Date.now().toString(36)}`;
    env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-fanout-')),
      CAIRN_TASK_QUEUE: taskQueue,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: mock.openaiBaseUrl,
      NO_COLOR: '1',
    };
    client = new CairnClient(temporal, { taskQueue });
  });
  afterAll(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop()));
    await connection?.close();
    await mock?.close();
  });

  it('finishes with all five results, starting each child once and serving no completed model call twice', async () => {
    const worker = await startWorkerProcess(['--config', config], env);
    workers.push(worker);
    const { runId } = await client.start('fanout', 'Research five questions.', { heartbeatTimeoutMs: 2000 });

    // All five researchers are waiting for their slow model replies.
    await eventually(() => (mock.requests.filter((request) => request.system === researcherPrompt).length >= 5 ? true : undefined), 'five researcher model calls');
    await worker.kill();
    const completedBeforeKill = [...servedByConversation(mock.requests).keys()];
    const researcherCallsBeforeKill = mock.requests.filter((request) => request.system === researcherPrompt);

    workers.push(await startWorkerProcess(['--config', config], env));
    const result: AgentRunResult = await client.result(runId);
    parentId = runId;

    expect(result).toMatchObject({ status: 'completed', output: questions.map((task) => `answer to ${task}`).join(' | '), turns: 2 });
    expect(result.children.map((child) => [child.runId, child.agent, child.state])).toEqual(questions.map((_, index) => [`${runId}.call-1-${index + 1}`, 'researcher', 'completed']));

    // The kill came while the researchers' calls were in flight (normally all five; a loaded machine may have let one finish),
    // after the supervisor's first call had completed.
    expect(researcherCallsBeforeKill.filter((request) => request.status === undefined).length).toBeGreaterThanOrEqual(1);
    expect(completedBeforeKill).toContain(`You are fanout. Delegate. / Research five questions. / 1`);

    // Exactly five children, visible by their parent link, each completed.
    const children = await eventually(async () => {
      const found: string[] = [];
      for await (const info of temporal.workflow.list({ query: `CairnParentRun = '${runId}'` })) found.push(info.workflowId);
      return found.length >= 5 ? found : undefined;
    }, 'the children to be listed');
    expect(children.sort()).toEqual(questions.map((_, index) => `${runId}.call-1-${index + 1}`));
    const described = await Promise.all(children.map((childId) => temporal.workflow.getHandle(childId).describe()));
    expect(described.map((info) => info.status.name)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);

    // The parent's history started each child once, replays and the new worker notwithstanding.
    const history = await temporal.workflow.getHandle(runId).fetchHistory();
    const childStarts = (history.events ?? []).filter((event) => event.startChildWorkflowExecutionInitiatedEventAttributes);
    expect(childStarts).toHaveLength(5);

    // No model call was served again once Temporal had recorded its result: the supervisor's two turns
    // were served once each, and a researcher's call more than once only when its recorded attempt
    // came later (a reply that was on its way when the worker died is never recorded, so it is retried).
    const served = servedByConversation(mock.requests);
    expect(served.size).toBe(7);
    expect(served.get('You are fanout. Delegate. / Research five questions. / 1')).toBe(1);
    expect(served.get('You are fanout. Delegate. / Research five questions. / 7')).toBe(1); // the task, the delegations and their five results
    const researcherServings = questions.map((task) => served.get(`${researcherPrompt} / ${task} / 1`) ?? 0);
    const researcherAttempts = await Promise.all(questions.map(async (_, index) => (await completingAttempts(temporal, `${runId}.call-1-${index + 1}`))[0] ?? 0));
    console.log(`researcher calls served ${researcherServings.join(', ')}; recorded on attempts ${researcherAttempts.join(', ')}`);
    researcherServings.forEach((times, index) => expect(times, `researcher ${index}`).toBeLessThanOrEqual(researcherAttempts[index]!));
    // Each attempt made one request: the interrupted calls were made again on the new worker, and nothing more.
    const attemptsInAll = researcherAttempts.reduce((sum, attempts) => sum + attempts, 0);
    expect(mock.requests.filter((request) => request.system === researcherPrompt)).toHaveLength(attemptsInAll);
  });

  it('`cairn status --json` on the finished supervisor includes its children with agent, state, turns and usage', async () => {
    expect(parentId, 'the fan-out run of the previous test').toBeDefined();
    const { code, stdout, stderr } = await runCli(['status', parentId!, '--json'], env);
    expect(code, stderr).toBe(0);
    const status = JSON.parse(stdout) as RunStatus;
    expect(status).toMatchObject({ runId: parentId, agent: 'fanout', state: 'completed', turn: 2 });
    expect(status.children).toEqual(
      questions.map((_, index) =>
        expect.objectContaining({
          runId: `${parentId}.call-1-${index + 1}`,
          agent: 'researcher',
          toolCallId: `call-1-${index + 1}`,
          state: 'completed',
          turns: 1,
          usage: expect.objectContaining({ inputTokens: 10, outputTokens: 5 }),
        }),
      ),
    );
    // The parent's usage includes its children's.
    expect(status.usage.outputTokens).toBeGreaterThanOrEqual(25);
  });

  it('plain `cairn status` on the finished supervisor shows its children', async () => {
    expect(parentId, 'the fan-out run of the previous test').toBeDefined();
    const { code, stdout, stderr } = await runCli(['status', parentId!], env);
    expect(code, stderr).toBe(0);
    expect(stdout).toContain(parentId!);
    expect(stdout).toMatch(/state\s+completed/);
    // The tree: each child's run id (or at least its tool call id) with its agent and state.
    const missing = questions.map((_, index) => `${parentId}.call-1-${index + 1}`).filter((childId) => !stdout.includes(childId) && !new RegExp(`\\b${childId.split('.').at(-1)}\\b`).test(stdout));
    expect(missing, `cairn status prints no sub-agent tree; its output was:\n${stdout}`).toEqual([]);
    expect(stdout).toContain('researcher');
  });
});
