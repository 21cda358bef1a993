import type { BudgetPolicy } from '../budget/budget-policy.ts';
import type { ModelPrice } from '../budget/prices.ts';
import type { ToolDescriptor } from '../providers/provider.ts';

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
    })
  | (ToolDescriptor & { kind: 'ask_human'; timeoutMs?: number; defaultAnswer: string })
  | (ToolDescriptor & { kind: 'sub_agent'; agent: string });

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
}
