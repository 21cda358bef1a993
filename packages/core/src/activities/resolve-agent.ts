import { log } from '@temporalio/activity';
import type { ResolvedAgent } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import type { PriceTable } from '../budget/prices.ts';
import { toActivityFailure } from './failures.ts';
import { checkWindow, type AgentDefinition } from '../agent/define-agent.ts';
import { defaultContextPolicy, type ContextPolicy } from '../context/context-policy.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import type { AgentSpec } from '../agent/spec.ts';
import type { McpConnections } from '../mcp/mcp-connections.ts';
import { mcpServerSpec } from '../mcp/mcp-server.ts';
import { mcpToolSpecs } from '../mcp/mcp-tools.ts';

/** Looks the agent up once per run; the spec it returns is recorded in history. */
export function resolveAgentActivity(
  agents: AgentRegistry,
  blobs: BlobStore,
  prices: PriceTable,
  providers: ProviderRegistry,
  contextWindow: (model: string) => number | undefined,
  mcp: McpConnections,
) {
  return async function resolveAgent(request: string | { name: string; model?: string }): Promise<ResolvedAgent> {
    try {
      const { name, model: override } = typeof request === 'string' ? { name: request, model: undefined } : request;
      const agent = agents.get(name);
      const model = override ?? agent.spec.model;
      if (override !== undefined) providers.checkModelId(override, `The run's model ${JSON.stringify(override)}`);
      const price = prices[model];
      const context = contextPolicy(agent, model, contextWindow(model));
      const spec = { ...agent.spec, model, ...(price ? { price } : {}), ...(context ? { context } : {}), ...(agent.mcpServers ? await withMcpTools(agent, mcp) : {}) };
      return { spec, specRef: await blobs.put(JSON.stringify(spec)) };
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

/** The agent's context settings completed with the model's window; none when no window is known or compaction is off. */
function contextPolicy(agent: AgentDefinition, model: string, knownWindow: number | undefined): ContextPolicy | undefined {
  if (agent.context === false) return undefined;
  const window = agent.context?.window ?? knownWindow;
  if (window === undefined) return undefined;
  const policy = { ...defaultContextPolicy, ...agent.context, window };
  checkWindow(agent.name, window, agent.spec.maxOutputTokens, policy.summaryMaxTokens);
  return policy;
}

/**
 * The agent's tools with those its MCP servers list now: recorded with the run, so that a replay
 * (or a server that changed its list since) sees the tools the model was offered. A server that
 * cannot be listed leaves its tools out of this run, and the model is told.
 */
async function withMcpTools(agent: AgentDefinition, mcp: McpConnections): Promise<Pick<AgentSpec, 'tools' | 'instructions' | 'mcpServers'>> {
  const servers = agent.mcpServers ?? [];
  const listed = await Promise.all(servers.map((server) => mcp.listTools(agent.name, server).then((tools) => ({ tools }), (error: Error) => ({ error: error.message }))));
  const tools = [...agent.spec.tools];
  const notes: string[] = [];
  const mcpServers = servers.map((server, index) => {
    const result = listed[index]!;
    if ('error' in result) {
      notes.push(`The tools of the ${server.name} MCP server are unavailable in this run (${result.error}).`);
      return mcpServerSpec(server, result.error);
    }
    const offered = mcpToolSpecs(server, result.tools);
    for (const tool of offered.tools) {
      // The agent's own tools, and servers listed first, keep their names.
      if (tools.some((known) => known.name === tool.name)) offered.skipped.push(`'${tool.name}': the agent already has a tool of that name (give the server a prefix)`);
      else tools.push(tool);
    }
    if (offered.skipped.length > 0) log.warn(`Agent '${agent.name}': MCP server '${server.name}' offers tools left out: ${offered.skipped.join('; ')}.`);
    return mcpServerSpec(server);
  });
  const instructions = notes.length > 0 ? `${agent.spec.instructions}\n\n${notes.join('\n')}` : agent.spec.instructions;
  return { tools, instructions, mcpServers };
}
