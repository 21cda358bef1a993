import { loadConfig, type LoadedConfig } from '@cairn/core/config';
import { builtInAgents } from '@cairn/agents';

/** The config `--config` names, else `cairn.config.ts` here, else Cairn's built-in agents. */
export function loadCliConfig(path?: string): Promise<LoadedConfig> {
  return loadConfig({ path, fallback: () => ({ agents: builtInAgents() }) });
}
