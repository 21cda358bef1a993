import { CairnError } from '@cairn/core';
import { loadConfig, type LoadedConfig } from '@cairn/core/config';
import { builtInAgents, builtInWorkflowModules } from '@cairn/agents';

/**
 * The config `--config` names, else `cairn.config.ts` here, else none; with
 * Cairn's built-in agents and the deep-research workflow always served too, so
 * `cairn research` works against any `cairn` worker.
 */
export async function loadCliConfig(path?: string): Promise<LoadedConfig> {
  const loaded = await loadConfig({ path, fallback: () => ({ agents: [] }) });
  const own = new Set(loaded.config.agents.map((agent) => agent.name));
  const builtIns = builtInAgents().filter((agent) => !own.has(agent.name));
  const agents = [...loaded.config.agents, ...builtIns];
  if (agents.length === 0) throw new CairnError('No agents to serve.');
  return {
    ...loaded,
    config: { ...loaded.config, agents, workflowModules: [...(loaded.config.workflowModules ?? []), ...builtInWorkflowModules] },
  };
}
