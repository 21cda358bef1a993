/**
 * Tools from MCP servers, over stdio and streamable HTTP: listed when the run
 * starts and recorded with it, each call an activity, gated by approval like any
 * tool, and cut off by a breaker when the server goes away mid-run, with the
 * model told why. The servers' secrets never reach history.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  eventually,
  mcpStdioServerCommand,
  MockModelServer,
  startMcpHttpServer,
  startTestStack,
  toolResults,
  type McpHttpServer,
  type MockRequest,
  type ScriptedReply,
  type TestStack,
} from '@cairn/testing';
import { defineAgent } from '../src/index.ts';

const folder = mkdtempSync(join(tmpdir(), 'cairn-mcp-'));
const files = { pid: join(folder, 'pid'), calls: join(folder, 'calls.jsonl'), down: join(folder, 'down') };
const stdioSecret = 'stdio-secret-7f3a9c';
const httpSecret = 'http-secret-19be44';

const stdioDesk = defineAgent({
  name: 'stdio-desk',
  model: 'openai:gpt-test',
  instructions: 'Help with orders.',
  mcpServers: [
    {
      name: 'orders',
      ...mcpStdioServerCommand(),
      env: { MCP_TEST_PID_FILE: files.pid, MCP_TEST_CALLS_FILE: files.calls, MCP_TEST_DOWN_FILE: files.down, ORDER_DESK_TOKEN: stdioSecret },
      exclude: ['internal_audit'],
      needsApproval: ['refund_order'],
      breaker: { failures: 2 },
    },
  ],
});

let http: McpHttpServer;
const httpDesk = () =>
  defineAgent({
    name: 'http-desk',
    model: 'openai:gpt-test',
    instructions: 'Help with orders.',
    mcpServers: [{ name: 'orders', url: http.url, headers: { Authorization: `Bearer ${httpSecret}` }, include: ['lookup_order', 'fail_always'], breaker: { failures: 2 } }],
  });

/** Looks up four orders one turn at a time, killing the server (`kill`) once the first answer is in; then answers with every result. */
function lookupsThroughAnOutage(kill: () => Promise<void>) {
  const offered: string[][] = [];
  const handler = async (request: MockRequest): Promise<ScriptedReply> => {
    offered.push(request.toolNames);
    const results = toolResults(request);
    if (results.length === 1) await kill();
    const id = ['A-17', 'B-2', 'C-3', 'D-4'][results.length];
    return id ? { toolCalls: [{ name: 'lookup_order', arguments: { id } }] } : { text: results.map((result) => result.content).join('\n') };
  };
  return { offered, handler };
}

describe('MCP tools', { timeout: 120_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    http = await startMcpHttpServer();
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [stdioDesk, httpDesk()], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
    await http?.close();
  });

  async function historyOf(runId: string) {
    const history = await stack.temporal.workflow.getHandle(runId).fetchHistory();
    const scheduled = (history.events ?? []).filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool');
    return { json: JSON.stringify(history), toolActivities: scheduled.length };
  }

  it('calls an approved tool of a stdio server with the arguments the person edited', async () => {
    mock.handle((request) => {
      const [result] = toolResults(request);
      return result ? { text: `done: ${result.content}` } : { toolCalls: [{ name: 'refund_order', arguments: { id: 'A-17', reason: 'damaged' } }] };
    });
    const { runId } = await stack.client.start('stdio-desk', 'Refund order A-17, it arrived damaged.');
    const [pending] = await eventually(async () => {
      const items = (await stack.client.inbox()).filter((item) => item.runId === runId);
      return items.length > 0 && items;
    }, 'the approval in the inbox');
    expect(pending).toMatchObject({ kind: 'approval', tool: 'refund_order', arguments: { id: 'A-17', reason: 'damaged' } });
    await stack.client.decide(runId, { approved: true, arguments: { id: 'A-17', reason: 'damaged in transit' } });
    const result = await stack.client.result(runId);
    expect(result.output).toBe('done: Refunded order A-17 (damaged in transit)');
    expect(readFileSync(files.calls, 'utf8')).toContain('"reason":"damaged in transit"');
  });

  it('fails calls cleanly when the stdio server is killed, opens the breaker, and completes with the model told why', async () => {
    const { offered, handler } = lookupsThroughAnOutage(async () => {
      writeFileSync(files.down, 'down');
      process.kill(Number(readFileSync(files.pid, 'utf8')), 'SIGKILL');
    });
    mock.handle(handler);
    const { runId } = await stack.client.start('stdio-desk', 'Look up orders A-17, B-2, C-3 and D-4.');
    const { output, status } = await stack.client.result(runId);

    expect(status).toBe('completed');
    // Listed at the start, filtered: the excluded tool is never offered.
    expect(offered[0]).toEqual(['lookup_order', 'refund_order', 'fail_always']);
    const [found, second, third, fourth] = output.split('\n');
    expect(found).toBe('Order A-17: shipped, total $42.00');
    expect(second).toMatch(/^Tool 'lookup_order' failed \(tried 3 times\): MCP server 'orders' is unavailable: /);
    expect(third).toMatch(/^Tool 'lookup_order' failed \(tried 3 times\)/);
    expect(fourth).toMatch(/^Tool 'lookup_order' is unavailable: its MCP server 'orders' failed 2 calls in a row in this run/);
    // The breaker refused the fourth call without an activity; the server served only the first lookup.
    const history = await historyOf(runId);
    expect(history.toolActivities).toBe(3);
    expect(readFileSync(files.calls, 'utf8').match(/lookup_order/g)).toHaveLength(1);
    expect(history.json).not.toContain(stdioSecret);
  });

  it('does the same over streamable HTTP, where the headers reach the server and never history', async () => {
    const { offered, handler } = lookupsThroughAnOutage(() => http.close());
    mock.handle(handler);
    const { runId } = await stack.client.start('http-desk', 'Look up orders A-17, B-2, C-3 and D-4.');
    const { output, status } = await stack.client.result(runId);

    expect(status).toBe('completed');
    expect(offered[0]).toEqual(['lookup_order', 'fail_always']);
    const lines = output.split('\n');
    expect(lines[0]).toBe('Order A-17: shipped, total $42.00');
    expect(lines[1]).toMatch(/^Tool 'lookup_order' failed \(tried 3 times\): MCP server 'orders' is unavailable/);
    expect(lines[3]).toMatch(/^Tool 'lookup_order' is unavailable: its MCP server 'orders' failed 2 calls in a row/);
    expect(http.calls).toEqual([{ tool: 'lookup_order', arguments: { id: 'A-17' } }]);
    expect(http.headers.every((headers) => headers.authorization === `Bearer ${httpSecret}`)).toBe(true);
    const history = await historyOf(runId);
    expect(history.toolActivities).toBe(3);
    expect(history.json).not.toContain(httpSecret);
  });

  it('starts a run without the tools of a server that is down, and tells the model', async () => {
    expect(existsSync(files.down)).toBe(true);
    const seen: MockRequest[] = [];
    mock.handle((request) => {
      seen.push(request);
      return { text: 'I cannot reach the order desk.' };
    });
    const { runId } = await stack.client.start('stdio-desk', 'Look up order A-17.');
    await stack.client.result(runId);
    expect(seen[0]!.toolNames).toEqual([]);
    expect(seen[0]!.system).toMatch(/The tools of the orders MCP server are unavailable in this run \(MCP server 'orders' is unavailable: /);
  });
});
