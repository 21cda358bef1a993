/**
 * `cairn mcp` driven by the real MCP client SDK over stdio, as an MCP client
 * (an IDE, a chat app) would: it starts a durable run, finds the run's question
 * in the inbox, answers it, and reads the answer the run gave.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, MockModelServer, startTestStack, toolResults, type TestStack } from '@cairn/testing';
import type { InboxItem } from '@cairn/core';
import { cairnBin } from './cli-process.ts';
import { asker } from './fixtures/prompt.config.ts';

const config = fileURLToPath(new URL('./fixtures/prompt.config.ts', import.meta.url));

describe('cairn mcp', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let mcp: Client;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request) => {
      const [answer] = toolResults(request);
      return answer ? { text: `A weekend in ${answer.content}.` } : { toolCalls: [{ name: 'ask_human', arguments: { question: 'Where to?' } }] };
    });
    stack = await startTestStack({ agents: [asker], mock, address: inject('temporalAddress') });
    mcp = new Client({ name: 'cairn-test', version: '1.0.0' });
    await mcp.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [cairnBin, 'mcp', '--config', config, '--task-queue', stack.taskQueue],
        env: { ...(process.env as Record<string, string>), TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-mcp-')), NO_COLOR: '1' },
      }),
    );
  });
  afterAll(async () => {
    await mcp?.close();
    await stack?.stop();
    await mock?.close();
  });

  const call = async (name: string, args: Record<string, unknown> = {}) => {
    const result = (await mcp.callTool({ name, arguments: args })) as { isError?: boolean; content: { type: string; text: string }[] };
    const text = result.content.map((part) => part.text).join('');
    return { isError: result.isError === true, text, json: <T>() => JSON.parse(text) as T };
  };

  it('lists its operations and the agents it runs', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(['answer_question', 'complete_tool_call', 'decide_approval', 'get_run', 'list_agents', 'list_inbox', 'start_run']);
    // The config's agents, with the built-in ones every config serves.
    expect((await call('list_agents')).json()).toContainEqual({ name: 'asker', model: 'openai:gpt-test', description: null, takesJson: false });
  });

  it('starts a run, answers its question from the inbox, and reads its answer', async () => {
    const started = await call('start_run', { agent: 'asker', input: 'Plan a weekend away.' });
    expect(started.isError, started.text).toBe(false);
    const { runId } = started.json<{ runId: string }>();

    const question = await eventually(async () => {
      const items = (await call('list_inbox')).json<InboxItem[]>().filter((item) => item.runId === runId);
      return items[0];
    }, 'the question in the inbox');
    expect(question).toMatchObject({ kind: 'question', question: 'Where to?' });

    const answered = await call('answer_question', { runId, answer: 'Lisbon' });
    expect(answered.json()).toEqual({ id: question.id, delivery: 'confirmed' });
    const again = await call('answer_question', { runId, answer: 'Porto' });
    expect(again.isError).toBe(true);

    const finished = await eventually(async () => {
      const run = (await call('get_run', { runId })).json<{ state: string; output?: string }>();
      return run.state === 'completed' && run;
    }, 'the run to complete');
    expect(finished.output).toBe('A weekend in Lisbon.');
  });

  it('refuses what it cannot do in one clear line', async () => {
    const unknown = await call('start_run', { agent: 'nobody', input: 'x' });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/^Unknown agent 'nobody'\. Agents: asker, assistant, /);
    const missing = await call('get_run', { runId: 'no-such-run' });
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/no-such-run/);
  });
});
