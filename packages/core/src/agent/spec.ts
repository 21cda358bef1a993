import type { BudgetPolicy } from '../budget/budget-policy.ts';
import type { ModelPrice } from '../budget/prices.ts';
import type { ToolDescriptor } from '../providers/provider.ts';
import type { ContextPolicy } from '../context/context-policy.ts';
import type { McpServerSpec } from '../mcp/mcp-server.ts';

/** How the workflow handles a call of this tool. */
export type ToolSpec =
  | (ToolDescriptor & {
      kind: 'function';
      /** 'always', or 'conditional' (the tool's predicate decides per call, in an activity). */
      approval?: 'always' | 'conditional';
      approvalTimeoutMs?: number;
      onApprovalTimeout?: 'deny' | 'approve';
      /** Not offered to the model; workflows call it. */
      internal?: boolean;
      /** A tool of an MCP server (`AgentSpec.mcpServers`), by the server's own name for it. */
      mcp?: { server: string; tool: string };
      /** An asynchronous tool: the run waits up to `timeoutMs` for its result; then `onTimeout` (the result as the model gets it), else an error. */
      async?: { timeoutMs: number; onTimeout?: string };
    })
  | (ToolDescriptor & { kind: 'ask_human'; timeoutMs?: number; defaultAnswer: string })
  | (ToolDescriptor & {
      kind: 'nexus';
      /** The Nexus endpoint and the agent it runs there (`nexus/agent-service.ts`). */
      endpoint: string;
      agent: string;
      timeoutMs: number;
      /** The remote agent takes JSON: the arguments are sent as they are, and checked there. */
      typedInput?: boolean;
    })
  | (ToolDescriptor & {
      kind: 'sub_agent';
      agent: string;
      /** The sub-agent declares an input schema: the arguments are checked against it (in an activity) and handed over as JSON. */
      typedInput?: boolean;
    });

/** What an agent with an output schema must reply: the schema, and how often a reply that breaks it is sent back. */
export interface OutputSpec {
  /** The name of the forced tool, where a provider takes structured output that way. */
  name: string;
  description: string;
  /** JSON Schema (an object schema). */
  schema: Record<string, unknown>;
  repairs: number;
}

/**
 * The serialisable description of an agent that the workflow runs from. An
 * activity resolves it from the worker's registry once per run, so it lands in
 * history and a replay sees the same agent even after the code changed.
 *
 * Persisted in workflow history: change it only by adding optional fields.
 */
export interface AgentSpec {
  name: string;
  /** `provider:model`, e.g. `openai:gpt-4.1-mini` or `anthropic:claude-sonnet-4-5`. */
  model: string;
  instructions: string;
  tools: ToolSpec[];
  maxTurns: number;
  maxOutputTokens: number;
  /** How many tool calls of one turn run at once. */
  toolConcurrency: number;
  /** How many sub-agent runs of this agent run at once; further delegations queue. */
  maxConcurrentChildren?: number;
  /** How deep sub-agents may nest below a run of this agent. */
  maxDepth?: number;
  budget?: BudgetPolicy;
  /** The model's price, from the worker's price table when the run started. */
  price?: ModelPrice;
  /** JSON Schema of what a run takes, when the agent declares one. */
  input?: Record<string, unknown>;
  /** The structured output a run returns, when the agent declares one. */
  output?: OutputSpec;
  /** How the conversation is kept within the model's context window, when the window is known. */
  context?: ContextPolicy;
  /** The MCP servers whose tools (listed when the run started) are among `tools`. */
  mcpServers?: McpServerSpec[];
}
