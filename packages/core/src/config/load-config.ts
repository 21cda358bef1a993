import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CairnError, isCairnError } from '../errors.ts';
import type { CairnConfig } from './define-config.ts';

export const defaultConfigFile = 'cairn.config.ts';

export interface LoadedConfig {
  config: CairnConfig;
  /** The file it came from; undefined when the fallback (built-in agents) was used. */
  path?: string;
}

/**
 * Finds the config: an explicit path must exist; otherwise `cairn.config.ts` in
 * the working directory if there is one; otherwise the fallback. TypeScript
 * config files need a TypeScript loader in the process (the CLI registers tsx).
 */
export async function loadConfig(options: { path?: string; cwd?: string; fallback: () => Promise<CairnConfig> | CairnConfig }): Promise<LoadedConfig> {
  const cwd = options.cwd ?? process.cwd();
  const path = options.path ? resolve(cwd, options.path) : resolve(cwd, defaultConfigFile);
  if (!existsSync(path)) {
    if (options.path) throw new CairnError(`Config file not found: ${path}.`, { hint: 'Check the --config path.' });
    return { config: await options.fallback() };
  }
  let module: { default?: CairnConfig };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: CairnConfig };
  } catch (error) {
    if (isCairnError(error)) throw error;
    throw new CairnError(`Could not load ${path}: ${(error as Error).message}`, { cause: error, hint: 'Fix the error in the config file.' });
  }
  if (!module.default || !Array.isArray(module.default.agents)) {
    throw new CairnError(`${path} must export default defineConfig({ agents: [...] }).`);
  }
  return { config: module.default, path };
}
