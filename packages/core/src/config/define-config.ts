import { InvalidDefinitionError } from '../errors.ts';
import type { AgentDefinition } from '../agent/define-agent.ts';
import type { PriceTable } from '../budget/prices.ts';

export interface CairnConfig {
  /** The agents a worker started with this config serves. */
  agents: AgentDefinition[];
  /** Task queue of the agent workflows. Default `cairn` (or CAIRN_TASK_QUEUE). */
  taskQueue?: string;
  /** Model prices (USD per million tokens) by `provider:model`, over Cairn's defaults. */
  prices?: PriceTable;
  /**
   * Absolute paths of modules with workflows of your own, bundled with Cairn's
   * (they must be deterministic, as all workflow code).
   */
  workflowModules?: string[];
}

/** The default export of `cairn.config.ts`. */
export function defineConfig(config: CairnConfig): CairnConfig {
  if (!config || !Array.isArray(config.agents) || config.agents.length === 0) {
    throw new InvalidDefinitionError('defineConfig needs at least one agent: defineConfig({ agents: [myAgent] }).');
  }
  return config;
}
