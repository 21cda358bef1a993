/**
 * `cairn inbox`, `answer`, `approve` and `deny` as a user runs them, against runs
 * waiting for people: a question, an approval, and a question asked by a sub-agent
 * (a child workflow) of a supervisor. The agents run on an in-process worker; the
 * CLI is a child process that reaches the same Temporal server through TEMPORAL_ADDRESS.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack, eventually, transferTool } from '@cairn/testing';
import { askHuman, defineAgent, type InboxItem, type PendingItem } from '@cairn/core';
import { runCli } from './cli-process.ts';

const { transfer, transfers } = transferTool();

const asker = defineAgent({ name: 'asker', model: 'openai:gpt-test', instructions: 'You ask when unsure.', tools: [askHuman()] });
const banker = defineAgent({ name: 'banker', model: 'openai:gpt-test', instructions: 'You move money when asked.', tools: [transfer] });
const helper = defineAgent({ name: 'helper', model: 'openai:gpt-test', instructions: 'You help; ask when unsure.', tools: [askHuman()] });
const lead = defineAgent({ name: 'lead', model: 'openai:gpt-test', instructions: 'You lead. Delegate.', subAgents: [helper] });

/** Each agent's side of the conversation, decided by its system prompt and what came back so far. */
function model(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  const input = request.messages[0]?.role === 'user' ? request.messages[0].content : '';
  switch (request.system) {
    case 'You ask when unsure.':
      if (results.length > 0) return { text: `Using: ${results.map((result) => result.content).join(', ')}` };
      if (input.includes('two questions')) {
        return {
          toolCalls: [
            { id: 'q_from', name: 'ask_human', arguments: { question: 'Convert from what?' } },
            { id: 'q_to', name: 'ask_human', arguments: { question: 'Convert to what?' } },
          ],
        };
      }
      return { toolCalls: [{ id: 'q_units', name: 'ask_human', arguments: { question: 'Which units?', choices: ['metric', 'imperial'] } }] };
    case 'You move money when asked.':
      if (results.length === 0) return { toolCalls: [{ id: 'pay_alice', name: 'transfer', arguments: { to: 'alice', amount: 10 } }] };
      if (results.length === 1) return { toolCalls: [{ id: 'pay_eve', name: 'transfer', arguments: { to: 'eve', amount: 999 } }] };
      return { text: `Done: ${results.map((result) => result.content).join(' / ')}` };
    case 'You help; ask when unsure.':
      if (results.length === 0) return { toolCalls: [{ id: 'h_city', name: 'ask_human', arguments: { question: 'Which city?' } }] };
      return { text: `Helper found: ${results[0]!.content}` };
    case 'You lead. Delegate.':
      if (results.length === 0) return { toolCalls: [{ id: 'd1', name: 'delegate_to_helper', arguments: { task: 'Find the city.' } }] };
      return { text: `Lead says: ${results[0]!.content}` };
    default:
      throw new Error(`unexpected system prompt: ${request.system}`);
  }
}


/** An error is one line saying what happened, one hint saying what to do, a non-zero exit, and no stack. */
function expectCleanError(result: { code: number; stdout: string; stderr: string }, message: string, hint: string): void {
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr.trim().split('\n'), result.stderr).toEqual([`error ${message}`, `hint  ${hint}`]);
  expect(result.stdout).toBe('');
}

// Each `cairn` is a fresh Node process that compiles TypeScript and bundles workflows: slow on a loaded 2-core machine.
describe('cairn inbox / answer / approve / deny', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  const cairn = (...args: string[]) => runCli(args, env);
  /** The three runs waiting for people: A asks, B needs an approval, C's sub-agent asks. */
  const runs = { a: '', b: '', c: '', child: '' };

  const pendingOf = (runId: string, count = 1) =>
    eventually(async () => {
      const pending = await stack.client.pending(runId).catch(() => [] as PendingItem[]);
      return pending.length >= count ? pending : undefined;
    }, `${count} pending item(s) on ${runId}`);

  /** The inbox as `cairn inbox --json` prints it, narrowed to this file's runs (other test files share the server). */
  const inboxJson = async (): Promise<InboxItem[]> => {
    const { code, stdout, stderr } = await cairn('inbox', '--json');
    expect(code, stderr).toBe(0);
    const items = JSON.parse(stdout) as InboxItem[];
    // Oldest first across the whole inbox, whoever's runs are in it.
    expect(items.map((item) => item.askedAt)).toEqual(items.map((item) => item.askedAt).sort((x, y) => x - y));
    const ours = new Set(Object.values(runs));
    return items.filter((item) => ours.has(item.runId));
  };

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({ agents: [asker, banker, lead], mock, address: inject('temporalAddress') });
    env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-inbox-')), CAIRN_TASK_QUEUE: stack.taskQueue, NO_COLOR: '1' };

    // One after the other, so that their items are in a known order.
    runs.a = (await stack.client.start('asker', 'Convert 3 miles.')).runId;
    await pendingOf(runs.a);
    runs.b = (await stack.client.start('banker', 'Pay alice 10, then eve 999.')).runId;
    await pendingOf(runs.b);
    runs.c = (await stack.client.start('lead', 'Where should we meet?')).runId;
    runs.child = `${runs.c}.call-1-1`;
    await pendingOf(runs.child);
    // The inbox reads the visibility store, which may lag the runs by a moment.
    await eventually(async () => {
      const listed = new Set((await stack.client.inbox()).map((item) => item.runId));
      return [runs.a, runs.b, runs.child].every((runId) => listed.has(runId)) ? true : undefined;
    }, 'the three items to be listed');
  });
  afterAll(async () => {
    // Whatever a failed test left waiting must not wait forever on the shared server.
    await Promise.all(
      Object.values(runs)
        .filter(Boolean)
        .map((runId) => stack?.temporal.workflow.getHandle(runId).terminate('test cleanup').catch(() => undefined)),
    );
    await stack?.stop();
    await mock?.close();
  });

  it('`inbox --json` lists the question, the approval and the sub-agent’s question, oldest first, the child’s with its own run id and parent', async () => {
    const items = await inboxJson();
    expect(items).toEqual([
      { kind: 'question', id: 'call-1-1', question: 'Which units?', choices: ['metric', 'imperial'], askedAt: expect.any(Number), runId: runs.a, agent: 'asker' },
      { kind: 'approval', id: 'call-1-1', tool: 'transfer', arguments: { to: 'alice', amount: 10 }, askedAt: expect.any(Number), runId: runs.b, agent: 'banker' },
      { kind: 'question', id: 'call-1-1', question: 'Which city?', askedAt: expect.any(Number), runId: runs.child, agent: 'helper', parentRunId: runs.c },
    ]);
    // The supervisor itself waits for its child, not for a person.
    expect(items.some((item) => item.runId === runs.c)).toBe(false);
  });

  it('plain `inbox` prints each item under its run, the sub-agent’s with its parent', async () => {
    const { code, stdout, stderr } = await cairn('inbox');
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n');
    const entry = (header: RegExp, item: string) => {
      const at = lines.findIndex((line) => header.test(line));
      expect(at, `no line matching ${header} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
      expect(lines[at + 1]).toBe(`  ${item}`);
      return at;
    };
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const a = entry(new RegExp(`^${escape(runs.a)} \\(asker\\)  \\d+[smhd] ago$`), 'question call-1-1: Which units? [metric / imperial]');
    const b = entry(new RegExp(`^${escape(runs.b)} \\(banker\\)  \\d+[smhd] ago$`), 'approval call-1-1: transfer({"to":"alice","amount":10})');
    const child = entry(new RegExp(`^${escape(runs.child)} \\(helper\\) ← sub-agent of ${escape(runs.c)}  \\d+[smhd] ago$`), 'question call-1-1: Which city?');
    expect(a).toBeLessThan(b);
    expect(b).toBeLessThan(child);
  });

  it('`answer <childRunId>` clears the sub-agent’s question, and the supervisor completes with the answer', async () => {
    const answered = await cairn('answer', runs.child, 'Lisbon');
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout.trim()).toBe(`✓ Answered call-1-1 of ${runs.child}.`);

    expect((await inboxJson()).map((item) => `${item.runId}/${item.id}`)).toEqual([`${runs.a}/call-1-1`, `${runs.b}/call-1-1`]);
    const result = await stack.client.result(runs.c);
    expect(result.output).toBe('Lead says: Helper found: Lisbon');
    expect(result.children).toMatchObject([{ runId: runs.child, agent: 'helper', state: 'completed', turns: 2 }]);
    // The helper's second model call carried the answer as the result of its question.
    const helperCalls = mock.requests.filter((request) => request.system === 'You help; ask when unsure.');
    expect(toolResults(helperCalls.at(-1)!)).toMatchObject([{ toolCallId: 'h_city', content: 'Lisbon', isError: false }]);
  });

  it('`approve` runs the pending call, and `deny --reason` tells the model why', async () => {
    const approved = await cairn('approve', runs.b);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout.trim()).toBe(`✓ Approved call-1-1 of ${runs.b}.`);

    // The model's next turn asks for a second transfer, which waits in its turn.
    await eventually(async () => ((await stack.client.pending(runs.b)).some((item) => item.id === 'call-2-1') ? true : undefined), 'the second approval');
    const denied = await cairn('deny', runs.b, '--reason', 'not a known payee');
    expect(denied.code, denied.stderr).toBe(0);
    expect(denied.stdout.trim()).toBe(`✓ Denied call-2-1 of ${runs.b}.`);

    const result = await stack.client.result(runs.b);
    expect(result.output).toBe("Done: sent 10 to alice / The user denied this call to 'transfer': not a known payee. Do not retry it unchanged.");
    expect(transfers).toEqual([{ to: 'alice', amount: 10 }]);
  });

  it('refuses a wrong question id, an unknown run, and an approval where none is pending, with one clear line and a hint', async () => {
    const [wrongQuestion, unknownRun, noApproval] = await Promise.all([
      cairn('answer', runs.a, 'x', '--question', 'wrong'),
      cairn('answer', 'no-such-run', 'x'),
      cairn('approve', runs.a),
    ]);
    expectCleanError(wrongQuestion, `Run '${runs.a}' has no pending question 'wrong'.`, 'Pending: call-1-1 "Which units?".');
    expectCleanError(unknownRun, "No run with id 'no-such-run'.", "List runs with 'cairn list'.");
    expectCleanError(noApproval, `Run '${runs.a}' is not waiting for any approval.`, "See what is waiting with 'cairn inbox'.");

    // Nothing changed: the question still waits, and a right answer goes through.
    expect((await stack.client.pending(runs.a)).map((item) => item.id)).toEqual(['call-1-1']);
    const answered = await cairn('answer', runs.a, 'metric');
    expect(answered.code, answered.stderr).toBe(0);
    expect((await stack.client.result(runs.a)).output).toBe('Using: metric');
  });

  it('with two questions pending and no --question, fails (no terminal to ask on) listing both ids', async () => {
    const { runId } = await stack.client.start('asker', 'Convert, but there are two questions.');
    Object.assign(runs, { d: runId });
    await pendingOf(runId, 2);

    const ambiguous = await cairn('answer', runId, 'miles');
    expectCleanError(ambiguous, `Run '${runId}' has 2 pending questions: call-1-1 "Convert from what?"; call-1-2 "Convert to what?".`, 'Name one with --question <id>.');
    expect((await stack.client.pending(runId)).map((item) => item.id).sort()).toEqual(['call-1-1', 'call-1-2']);

    const [from, to] = await Promise.all([cairn('answer', runId, 'miles', '--question', 'call-1-1'), cairn('answer', runId, 'kilometres', '--question', 'call-1-2')]);
    expect([from.code, to.code], from.stderr + to.stderr).toEqual([0, 0]);
    expect((await stack.client.result(runId)).output).toBe('Using: miles, kilometres');
  });
});
