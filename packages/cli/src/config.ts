import { CairnError, type AgentDefinition } from '@cairn/core';
import { loadConfig, type LoadedConfig } from '@cairn/core/config';
import { builtInActivities, builtInAgents, builtInWorkflowModules } from '@cairn/agents';

/**
 * The config `--config` names, else `cairn.config.ts` here, else none; with
 * Cairn's built-in agents and the deep-research workflow always served too, so
 * `cairn research` works against any `cairn` worker.
 */
export async function loadCliConfig(path?: string): Promise<LoadedConfig> {
  const loaded = await loadConfig({ path, fallback: () => ({ agents: [] }) });
  // The config's agents win, sub-agents included: a worker serves each name once.
  const own = namesIn(loaded.config.agents);
  const builtIns = builtInAgents().filter((agent) => ![...namesIn([agent])].some((name) => own.has(name)));
  const agents = [...loaded.config.agents, ...builtIns];
  if (agents.length === 0) throw new CairnError('No agents to serve.');
  return {
    ...loaded,
    config: {
      ...loaded.config,
      agents,
      workflowModules: [...(loaded.config.workflowModules ?? []), ...builtInWorkflowModules],
      activities: (dependencies) => ({ ...builtInActivities(dependencies), ...loaded.config.activities?.(dependencies) }),
    },
  };
}

/** Every agent name in these agents' trees: they and their sub-agents, at any depth. */
function namesIn(agents: readonly AgentDefinition[], names = new Set<string>()): Set<string> {
  for (const agent of agents) {
    if (names.has(agent.name)) continue;
    names.add(agent.name);
    namesIn(agent.subAgents ?? [], names);
  }
  return names;
}
