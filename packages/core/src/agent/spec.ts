import type { ToolDescriptor } from '../providers/provider.ts';

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
  tools: ToolDescriptor[];
  maxTurns: number;
  maxOutputTokens: number;
  /** How many tool calls of one turn run at once. */
  toolConcurrency: number;
}
