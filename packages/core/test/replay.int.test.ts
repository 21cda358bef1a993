import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  MockModelServer,
  toolResults,
  startMcpHttpServer,
  startTestStack,
  type McpHttpServer,
  type TestStack,
  eventually,
  type MockRequest,
  type ReplyHandler,
  type ScriptedReply,
} from '@cairn/testing';
import { askHuman, defineAgent, defineTool } from '../src/index.ts';
import { workflowBundle } from '../src/worker/index.ts';
import { addBudgetSignal, answerSignal } from '../src/workflow/definitions.ts';
import { tmpdir } from 'node:os';

/**
 * Histories of finished runs must replay on the current workflow code. The
 * committed fixtures are histories made by earlier releases: a change that
 * breaks their replay would break runs in flight when it is deployed.
 * CAIRN_UPDATE_FIXTURES=<release> writes this run's histories as new fixtures
 * (protobuf binary, as `temporal workflow show --output json` can't be replayed
 * across SDK versions as reliably).
 */
const { History } = temporal.api.history.v1;
const fixtures = fileURLToPath(new URL('./fixtures/histories/', import.meta.url));

const lookup = defineTool({
  name: 'lookup',
  description: 'Looks a word up.',
  input: z.object({ word: z.string() }),
  execute: ({ word }) => `definition of ${word}`,
});
const archive = defineTool({
  name: 'archive',
  description: 'Archives a word; a person approves it first.',
  input: z.object({ word: z.string() }),
  needsApproval: true,
  execute: ({ word }) => `archived ${word}`,
});
const helper = defineAgent({ name: 'replay-helper', model: 'openai:gpt-test', instructions: 'Help.' });
const agent = defineAgent({
  name: 'replayed',
  model: 'openai:gpt-test',
  instructions: 'Define words.',
  tools: [lookup, archive, askHuman()],
  subAgents: [helper],
  maxTurns: 3,
  budget: { tokens: 50_000 },
});

// 0.6.0: an agent with an output schema, and one whose conversation outgrows a small window.
const typed = defineAgent({
  name: 'replayed-typed',
  model: 'openai:gpt-test',
  instructions: 'Define a word, as JSON.',
  output: z.object({ word: z.string(), definition: z.string() }),
});
const page = defineTool({ name: 'page', description: 'Reads a page.', input: z.object({ n: z.number() }), execute: ({ n }) => `Page ${n}. ${'Stones piled to mark a path. '.repeat(30)}` });
const compacting = defineAgent({
  name: 'replayed-compacting',
  model: 'openai:gpt-test',
  instructions: 'Read eight pages.',
  tools: [page],
  maxOutputTokens: 256,
  context: { window: 2_048, keepRecent: 4, summaryMaxTokens: 256 },
});

// 0.7.0: a tool of an MCP server, and an asynchronous tool completed from outside.
const ticket = defineTool({
  name: 'ticket',
  description: 'Opens a ticket; its resolution arrives later.',
  input: z.object({ summary: z.string() }),
  async: { timeout: '1 hour' },
  execute: () => ({ ticket: 'T-1' }),
});
const connected = (mcpUrl: string) =>
  defineAgent({ name: 'replayed-connected', model: 'openai:gpt-test', instructions: 'Use the desk.', tools: [ticket], mcpServers: [{ name: 'orders', url: mcpUrl }] });

/** Reads pages 1-8, whatever the summaries in between. */
function readEightPages(request: MockRequest): ScriptedReply {
  if (request.system.startsWith('You compress')) return { text: 'Pages read so far: each about piled stones.' };
  const last = [...request.messages].reverse().find((message) => message.role === 'tool');
  const read = last ? Number(/^Page (\d+)\./.exec(last.content)?.[1]) : 0;
  return read < 8 ? { toolCalls: [{ name: 'page', arguments: { n: read + 1 } }] } : { text: 'Eight pages read.' };
}

async function replay(histories: { workflowId: string; history: unknown }[]) {
  const failures: string[] = [];
  const results = Worker.runReplayHistories({ workflowBundle: await workflowBundle(join(tmpdir(), 'cairn-replay-bundles')) }, histories);
  for await (const result of results) {
    if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
  }
  return failures;
}

describe('determinism', () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let mcp: McpHttpServer;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mcp = await startMcpHttpServer();
    stack = await startTestStack({ agents: [agent, typed, compacting, connected(mcp.url)], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
    await mcp?.close();
  });

  it('replays the histories of fresh runs: parallel tools, a tool error, the turn limit, a question, approvals, a large reply, a wrap-up, signals while waiting, a delegation, a continued answer, a rewound run, a repaired typed answer, a compacted context, an MCP tool, an asynchronous tool, every kind of call in one turn', async () => {
    const agentOf: Record<string, string> = { 'typed-output': typed.name, 'compacted-context': compacting.name, 'mcp-tool': 'replayed-connected', 'async-tool': 'replayed-connected' };
    const scenarios: Record<string, ScriptedReply[] | ReplyHandler> = {
      'mcp-tool': [{ toolCalls: [{ name: 'lookup_order', arguments: { id: 'A-1' } }] }, { text: 'Shipped.' }],
      'async-tool': [{ toolCalls: [{ name: 'ticket', arguments: { summary: 'printer' } }] }, { text: 'Closed.' }],
      'typed-output': [{ text: 'A cairn is a pile of stones.' }, { text: '{"word": "cairn", "definition": "a pile of stones"}' }],
      'compacted-context': readEightPages,
      'parallel-tools': [
        { toolCalls: [{ name: 'lookup', arguments: { word: 'cairn' } }, { name: 'lookup', arguments: { word: 'durable' } }] },
        { text: 'Both defined.' },
      ],
      'tool-error': [{ toolCalls: [{ name: 'lookup', arguments: '{"word": 7}' }] }, { text: 'Gave up.' }],
      'max-turns': [1, 2, 3].map((n) => ({ toolCalls: [{ name: 'lookup', arguments: { word: `w${n}` } }] })),
      question: [{ toolCalls: [{ id: 'q1', name: 'ask_human', arguments: { question: 'Which word?' } }] }, { text: 'Defined it.' }],
      // 0.2.0: the model reuses its ids, an answer is cut off at the output cap and continued.
      'reused-ids-and-cut-off-answer': [
        { toolCalls: [{ id: 'call_1', name: 'lookup', arguments: { word: 'cairn' } }, { id: 'call_1', name: 'lookup', arguments: { word: 'stone' } }] },
        { text: 'A cairn is a pile', stopReason: 'max_tokens' },
        { text: ' of stones.' },
      ],
      // 0.3.0: approvals (one granted, one denied), a reply too large for history, the budget's wrap-up call,
      // and signals a run rejects or takes while it waits (a wrong id, a top-up).
      approvals: [
        { toolCalls: [{ name: 'archive', arguments: { word: 'cairn' } }, { name: 'archive', arguments: { word: 'scree' } }] },
        { text: 'One archived.' },
      ],
      'large-reply': [{ text: `A cairn is ${'a pile of stones, '.repeat(3_000)}` }],
      'wrap-up': [{ toolCalls: [{ name: 'lookup', arguments: { word: 'cairn' } }], usage: { inputTokens: 49_000, outputTokens: 10 } }, { text: 'What I have.' }],
      'signals-while-waiting': [{ toolCalls: [{ id: 'q1', name: 'ask_human', arguments: { question: 'Which word?' } }] }, { text: 'Defined it.' }],
      // 0.5.0: a run rewound to the end of turn 1 (a reset execution, its copied history, build ids on every task).
      rewound: [{ toolCalls: [{ name: 'lookup', arguments: { word: 'cairn' } }] }, { text: 'First answer.' }, { text: 'Answer after the rewind.' }],
      // 0.9.0: one turn of every kind of call at once, so the order of their commands is on record (tool calls start promptly since 0.9).
      'mixed-calls': (request) => {
        if (request.system.startsWith('Help.')) return { text: 'a pile of stones' };
        if (request.messages.some((message) => message.role === 'tool')) return { text: 'Done.' };
        return {
          toolCalls: [
            { id: 'm1', name: 'lookup', arguments: { word: 'cairn' } },
            { id: 'm2', name: 'ask_human', arguments: { question: 'Which word?' } },
            { id: 'm3', name: 'delegate_to_replay_helper', arguments: { task: 'define scree' } },
            { id: 'm4', name: 'lookup', arguments: { word: 'scree' } },
          ],
        };
      },
      delegation: [{ toolCalls: [{ id: 'd1', name: 'delegate_to_replay_helper', arguments: { task: 'define cairn' } }] }, { text: 'a pile of stones' }, { text: 'Done.' }],
    };
    const histories = [];
    for (const [name, replies] of Object.entries(scenarios)) {
      mock.reset();
      if (Array.isArray(replies)) mock.script(...replies);
      else mock.handle(replies);
      const { runId } = await stack.client.start(agentOf[name] ?? 'replayed', `scenario ${name}`);
      if (name === 'question' || name === 'mixed-calls') {
        await eventually(async () => (await stack.client.pending(runId)).length > 0, 'the question');
        await stack.client.answer(runId, 'cairn');
      }
      if (name === 'signals-while-waiting') {
        await eventually(async () => (await stack.client.pending(runId)).length > 0, 'the question');
        const handle = stack.temporal.workflow.getHandle(runId);
        await handle.signal(answerSignal, { questionId: 'no-such-question', answer: 'x' });
        await handle.signal(addBudgetSignal, { tokens: 1_000 });
        await stack.client.answer(runId, 'cairn');
      }
      if (name === 'async-tool') {
        const [call] = await eventually(async () => {
          const pending = await stack.client.pending(runId);
          return pending.length > 0 && pending;
        }, 'the asynchronous call');
        await stack.client.completeToolCall(runId, call!.id, { result: 'fixed' });
      }
      if (name === 'approvals') {
        // Both calls are checked at once; each waits for its decision once its check is done.
        await eventually(async () => ((await stack.client.pending(runId)).length === 2 ? true : undefined), 'both approvals');
        await stack.client.decide(runId, { callId: 'call-1-1', approved: true });
        await stack.client.decide(runId, { callId: 'call-1-2', approved: false, reason: 'not that one' });
      }
      const result = await stack.client.result(runId);
      if (name === 'typed-output') expect(result.value).toEqual({ word: 'cairn', definition: 'a pile of stones' });
      if (name === 'compacted-context') expect(mock.requests.filter((request) => request.system.startsWith('You compress')).length).toBeGreaterThan(0);
      if (name === 'rewound') {
        await stack.client.rewind(await stack.client.planRewind(runId, 1), { reason: 'replay fixture' });
        await eventually(async () => ((await stack.client.result(runId)).output === 'Answer after the rewind.' ? true : undefined), 'the rewound answer');
      }
      const history = await stack.temporal.workflow.getHandle(runId).fetchHistory();
      histories.push({ workflowId: runId, history, name });
    }
    expect(toolResults(mock.requests.at(-1)!)).toEqual([expect.objectContaining({ content: 'a pile of stones' })]);

    expect(await replay(histories)).toEqual([]);

    if (process.env.CAIRN_UPDATE_FIXTURES) {
      mkdirSync(fixtures, { recursive: true });
      const release = process.env.CAIRN_UPDATE_FIXTURES;
      // The workflow id is part of the name: ids derived from it (sub-agents') must replay the same.
      for (const { name, history, workflowId } of histories) writeFileSync(join(fixtures, `${release}-${name}--${workflowId}.binpb`), History.encode(history).finish());
    }
  });

  it('replays every committed history fixture', async () => {
    const files = readdirSync(fixtures).filter((file) => file.endsWith('.binpb'));
    expect(files.length).toBeGreaterThan(0);
    const histories = files.map((file) => ({ workflowId: file.split('--')[1]?.replace(/\.binpb$/, '') ?? file, history: History.decode(readFileSync(join(fixtures, file))) }));
    expect(await replay(histories)).toEqual([]);
  });
});
