/**
 * `cairn mcp`: Cairn's own operations as an MCP server over stdio, so that an
 * MCP client (an IDE, a chat app, another agent) can start durable runs, follow
 * them, and answer what they ask. Every action goes through the same checked
 * client calls as the CLI. Standard output is the protocol: logs go to stderr.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isCairnError, type AgentDefinition, type CairnClient } from '@cairn/core';
import { isEmbedded } from '@cairn/core/temporal';
import { loadCliConfig } from '../config.ts';
import { openSession } from '../session.ts';
import { jsonInput } from '../agent-input.ts';

export async function mcpCommand(options: { config?: string; taskQueue?: string }): Promise<number> {
  const { config, path } = await loadCliConfig(options.config);
  const session = await openSession({
    ...(isEmbedded() ? { bringUp: { configPath: path } } : {}),
    taskQueue: options.taskQueue ?? config.taskQueue,
    blobStore: config.blobStore,
    log: (line) => console.error(line),
  });
  const server = cairnMcpServer(session.client, config.agents);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => (transport.onclose = resolve));
  await server.connect(transport);
  console.error(`cairn mcp: serving ${config.agents.length} agents over stdio (task queue ${session.client.taskQueue})`);
  await Promise.race([closed, new Promise<void>((resolve) => process.stdin.once('end', resolve))]);
  await server.close();
  await session.close();
  return 0;
}

export function cairnMcpServer(client: CairnClient, agents: readonly AgentDefinition[]): McpServer {
  const server = new McpServer({ name: 'cairn', version: '1.0.0' });

  server.registerTool(
    'list_agents',
    { description: 'The agents this Cairn deployment runs, with what each is for.', inputSchema: {} },
    async () => ok(agents.map((agent) => ({ name: agent.name, model: agent.spec.model, description: agent.description ?? null, takesJson: agent.input !== undefined }))),
  );
  server.registerTool(
    'start_run',
    {
      description: 'Starts a durable run of an agent. It survives crashes and may wait for people; follow it with get_run and list_inbox.',
      inputSchema: {
        agent: z.string().describe('The agent name, from list_agents'),
        input: z.string().min(1).describe('The task (for an agent that takes JSON: the JSON as a string)'),
        maxTurns: z.number().int().positive().optional(),
      },
    },
    async ({ agent, input, maxTurns }) =>
      attempt(async () => {
        const definition = agents.find((candidate) => candidate.name === agent);
        if (!definition) return failed(`Unknown agent '${agent}'. Agents: ${agents.map((candidate) => candidate.name).join(', ')}.`);
        const options = maxTurns ? { maxTurns } : {};
        const started = definition.input ? await client.start(definition, jsonInput(definition, input), options) : await client.start(agent, input, options);
        return ok({ runId: started.runId, ...(started.uiUrl ? { webUrl: started.uiUrl } : {}) });
      }),
  );
  server.registerTool(
    'get_run',
    { description: "A run's state, turn, token usage, what it waits for, and its answer once it ended.", inputSchema: { runId: z.string() } },
    async ({ runId }) =>
      attempt(async () => {
        const status = await client.status(runId);
        const { state, agent, turn, usage, pending, output, children, exhaustedLimit } = status;
        return ok({ runId, agent, state, turn, usage, pending, children: children.map(({ runId: child, agent: of, state: childState }) => ({ runId: child, agent: of, state: childState })), ...(output !== undefined ? { output } : {}), ...(exhaustedLimit ? { exhaustedLimit } : {}) });
      }),
  );
  server.registerTool(
    'list_inbox',
    { description: 'Questions, approvals and asynchronous tool calls waiting, across all runs and sub-agents, oldest first.', inputSchema: {} },
    async () => attempt(async () => ok(await client.inbox())),
  );
  server.registerTool(
    'answer_question',
    {
      description: "Answers a run's pending question (a sub-agent's question: use its own runId from list_inbox).",
      inputSchema: { runId: z.string(), answer: z.string().min(1), questionId: z.string().optional().describe('Which question, when several are pending') },
    },
    async ({ runId, answer, questionId }) => attempt(async () => ok(delivered(await client.answer(runId, answer, questionId)))),
  );
  server.registerTool(
    'decide_approval',
    {
      description: 'Approves (optionally with edited arguments) or denies a tool call waiting for approval. A denial’s reason is told to the model.',
      inputSchema: {
        runId: z.string(),
        approved: z.boolean(),
        callId: z.string().optional(),
        reason: z.string().optional(),
        arguments: z.record(z.string(), z.unknown()).optional().describe('With approval: run the call with these arguments instead'),
      },
    },
    async ({ runId, approved, callId, reason, arguments: edited }) =>
      attempt(async () => ok(delivered(await client.decide(runId, { approved, ...(callId ? { callId } : {}), ...(reason ? { reason } : {}), ...(edited ? { arguments: edited } : {}) })))),
  );
  server.registerTool(
    'complete_tool_call',
    {
      description: 'Hands an asynchronous tool call its result, or fails it with a message for the model.',
      inputSchema: { runId: z.string(), callId: z.string(), result: z.unknown().optional(), error: z.string().optional() },
    },
    async ({ runId, callId, result, error }) =>
      attempt(async () => {
        if ((result === undefined) === (error === undefined)) return failed('Give exactly one of result or error.');
        await client.completeToolCall(runId, callId, error !== undefined ? { error } : { result });
        return ok({ completed: callId, runId });
      }),
  );
  return server;
}

function delivered(item: { id: string; delivery: string }): { id: string; delivery: string; note?: string } {
  return item.delivery === 'confirmed' ? { id: item.id, delivery: item.delivery } : { ...item, note: 'No worker is running to check it now; it is checked when one runs.' };
}

function ok(value: unknown): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }] };
}

function failed(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}

/** Cairn's own errors go back as tool errors with their hint; anything else too, in one line. */
async function attempt(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    const hint = isCairnError(error) && error.hint ? ` (${error.hint})` : '';
    return failed(`${(error as Error).message}${hint}`);
  }
}
