import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, toolResults, type MockRequest, type ScriptedReply, startTestStack, type TestStack, eventually } from '@cairn/testing';
import { defineAgent, type AgentDefinition } from '../src/index.ts';

const researcher = defineAgent({ name: 'researcher', model: 'openai:gpt-test', instructions: 'You research one question.', description: 'researches one question' });
const supervisor = (name: string, maxConcurrentChildren: number) =>
  defineAgent({ name, model: 'openai:gpt-test', instructions: `You are ${name}. Delegate.`, subAgents: [researcher], maxConcurrentChildren });
const wide = supervisor('wide', 5);
const narrow = supervisor('narrow', 2);
const leaf = defineAgent({ name: 'leaf', model: 'openai:gpt-test', instructions: 'You are the leaf.' });
const middle = defineAgent({ name: 'middle', model: 'openai:gpt-test', instructions: 'You are the middle.', subAgents: [leaf] });
const shallow = defineAgent({ name: 'shallow', model: 'openai:gpt-test', instructions: 'You are shallow.', subAgents: [middle], maxDepth: 1 });

const agents: AgentDefinition[] = [wide, narrow, shallow];

/** Supervisors delegate `count` tasks in one turn, then summarise what came back; researchers answer after `latencyMs`. */
function fanOut(count: number, researcherReply: (task: string) => ScriptedReply) {
  return (request: MockRequest): ScriptedReply => {
    if (request.system === 'You research one question.') {
      const task = request.messages[0]!.role === 'user' ? request.messages[0]!.content : '';
      return researcherReply(task);
    }
    const results = toolResults(request);
    if (results.length === 0) {
      return { toolCalls: Array.from({ length: count }, (_, index) => ({ id: `d${index}`, name: 'delegate_to_researcher', arguments: { task: `question ${index}` } })) };
    }
    return { text: results.map((result) => result.content).join(' | ') };
  };
}

describe('sub-agents as child workflows', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents, mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  const timed = async (agent: string) => {
    const start = Date.now();
    const { runId } = await stack.client.start(agent, 'Research.');
    const result = await stack.client.result(runId);
    return { runId, result, ms: Date.now() - start };
  };

  it('runs five children with 1 s model latency in about the time of one', async () => {
    mock.reset();
    mock.handle(fanOut(1, (task) => ({ latencyMs: 1000, text: `answer to ${task}` })));
    const one = await timed('wide');
    mock.reset();
    mock.handle(fanOut(5, (task) => ({ latencyMs: 1000, text: `answer to ${task}` })));
    const five = await timed('wide');

    console.log(`1 child: ${one.ms} ms, 5 children: ${five.ms} ms, ratio ${(five.ms / one.ms).toFixed(2)}`);
    expect(five.result.output).toBe([0, 1, 2, 3, 4].map((index) => `answer to question ${index}`).join(' | '));
    expect(five.ms / one.ms).toBeLessThan(2);
    const status = await stack.client.status(five.runId);
    expect(status.children.map((child) => [child.runId, child.agent, child.state])).toEqual(
      [0, 1, 2, 3, 4].map((index) => [`${five.runId}.call-1-${index + 1}`, 'researcher', 'completed']),
    );
  });

  it('queues delegations beyond the concurrency limit: never more than 2 children at once, all 5 complete', async () => {
    mock.reset();
    let running = 0;
    let started = 0;
    let peak = 0;
    mock.handle(async (request) => {
      if (request.system !== 'You research one question.') return fanOut(5, () => ({}))(request);
      running += 1;
      started += 1;
      peak = Math.max(peak, running);
      // Hold each call until a second child is running too (or none can come), so a slow start on a loaded
      // machine cannot hide the allowed parallelism; the pause after gives a third child time to show up if
      // the limit were broken.
      await eventually(() => running >= 2 || started >= 5, 'a second child', 10_000).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 400));
      running -= 1;
      return { text: 'done' };
    });
    const { runId, result } = await timed('narrow');
    expect(result.output).toBe('done | done | done | done | done');
    expect(peak).toBe(2);
    expect((await stack.client.status(runId)).children.every((child) => child.state === 'completed')).toBe(true);
  });

  it('isolates a failing child: its siblings finish and the parent is told of the failure', async () => {
    mock.reset();
    mock.handle(
      fanOut(3, (task) => (task === 'question 1' ? { fault: { kind: 'bad_request', message: 'context too long' } } : { text: `answer to ${task}` })),
    );
    const { runId, result } = await timed('wide');
    expect(result.status).toBe('completed');
    expect(result.output).toMatch(/^answer to question 0 \| The researcher sub-agent failed: .*context too long.* \| answer to question 2$/);
    const children = (await stack.client.status(runId)).children;
    expect(children.map((child) => child.state)).toEqual(['completed', 'failed', 'completed']);
  });

  it('cancels the whole tree when the parent is cancelled', async () => {
    mock.reset();
    mock.handle(fanOut(3, () => ({ latencyMs: 60_000, text: 'too late' })));
    const { runId } = await stack.client.start('wide', 'Research.');
    const childIds = [0, 1, 2].map((index) => `${runId}.call-1-${index + 1}`);
    await eventually(async () => (await Promise.all(childIds.map((id) => stack.client.describe(id).then(() => true, () => false)))).every(Boolean), 'every child to start');

    await stack.client.cancel(runId);
    await expect(stack.client.result(runId)).rejects.toThrow();
    await eventually(async () => {
      const states = await Promise.all(childIds.map(async (id) => (await stack.client.describe(id)).status.name));
      return states.every((state) => state === 'CANCELLED');
    }, 'every child to be cancelled');
    expect((await stack.client.describe(runId)).status.name).toBe('CANCELLED');
    // The cancelled run returned no result; its status still says what it did, from its history.
    expect(await stack.client.status(runId)).toMatchObject({ state: 'cancelled', turn: 1 });
    expect((await stack.client.status(runId)).usage.outputTokens).toBeGreaterThan(0);
  });

  it('refuses to delegate past the depth limit', async () => {
    mock.reset();
    mock.handle((request) => {
      const results = toolResults(request);
      if (request.system === 'You are shallow.') {
        return results.length === 0 ? { toolCalls: [{ name: 'delegate_to_middle', arguments: { task: 'go deeper' } }] } : { text: `shallow got: ${results[0]!.content}` };
      }
      if (request.system === 'You are the middle.') {
        return results.length === 0 ? { toolCalls: [{ name: 'delegate_to_leaf', arguments: { task: 'deepest' } }] } : { text: `middle got: ${results[0]!.content}` };
      }
      return { text: 'leaf answer' };
    });
    const { result } = await timed('shallow');
    expect(result.output).toMatch(/^shallow got: middle got: Cannot delegate to 'leaf': sub-agents may nest at most 1 levels deep/);
  });

  it('shows the run tree with each child’s agent, state, turns and tokens', async () => {
    mock.reset();
    mock.handle(fanOut(2, (task) => ({ text: `answer to ${task}`, usage: { inputTokens: 10, outputTokens: 5 } })));
    const { runId } = await timed('wide');
    const tree = await stack.client.statusTree(runId);
    expect(tree.childStatuses.map((child) => ({ agent: child.agent, state: child.state, turn: child.turn, usage: child.usage.outputTokens }))).toEqual([
      { agent: 'researcher', state: 'completed', turn: 1, usage: 5 },
      { agent: 'researcher', state: 'completed', turn: 1, usage: 5 },
    ]);
    // The parent's usage includes its children's.
    expect(tree.usage.outputTokens).toBeGreaterThanOrEqual(10);
  });
});

