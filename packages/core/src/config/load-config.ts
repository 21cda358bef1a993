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
 * the working directory if there is one; otherwise the fallback. A TypeScript
 * config is loaded through tsx, registered the first time one is loaded.
 */
export async function loadConfig(options: { path?: string; cwd?: string; fallback: () => Promise<CairnConfig> | CairnConfig }): Promise<LoadedConfig> {
  const path = findConfigFile(options);
  if (!path) {
    if (options.path) throw new CairnError(`Config file not found: ${resolve(options.cwd ?? process.cwd(), options.path)}.`, { hint: 'Check the --config path.' });
    return { config: await options.fallback() };
  }
  let module: { default?: CairnConfig };
  try {
    module = await importUserModule<CairnConfig>(path);
  } catch (error) {
    if (isCairnError(error)) throw error;
    throw new CairnError(`Could not load ${path}: ${(error as Error).message}`, { cause: error, hint: 'Fix the error in the config file.' });
  }
  if (!module.default || !Array.isArray(module.default.agents)) {
    throw new CairnError(`${path} must export default defineConfig({ agents: [...] }).`);
  }
  return { config: module.default, path };
}

/**
 * The file {@link loadConfig} would load, without loading it: the explicit path, else
 * `cairn.config.ts` in the working directory; undefined when that file does not exist.
 */
export function findConfigFile(options: { path?: string; cwd?: string } = {}): string | undefined {
  const path = resolve(options.cwd ?? process.cwd(), options.path ?? defaultConfigFile);
  return existsSync(path) ? path : undefined;
}

/**
 * Imports a config file (or another module of the user's, such as an eval suite) as an ES module wherever it lives. In a folder whose
 * package.json says CommonJS (or a package without "type"), Node hands a `.ts`
 * file to require(), which cannot load Cairn's ES modules; tsx's own import
 * then loads it as ESM, the same as anywhere else.
 */
export async function importUserModule<T>(path: string): Promise<{ default?: T }> {
  if (/\.[mc]?ts$/.test(path)) await registerTypeScriptLoader();
  try {
    return unwrapCommonJs((await import(pathToFileURL(path).href)) as UserModule<T>);
  } catch (error) {
    const requiredEsm = (error as NodeJS.ErrnoException).code === 'ERR_REQUIRE_CYCLE_MODULE' || /Cannot require\(\) ES Module/.test((error as Error).message);
    if (!requiredEsm || !/\.[mc]?ts$/.test(path)) throw error;
    const { tsImport } = await import('tsx/esm/api');
    return unwrapCommonJs((await tsImport(pathToFileURL(path).href, import.meta.url)) as UserModule<T>);
  }
}

type UserModule<T> = { default?: T & { default?: T; __esModule?: boolean } };

/**
 * A module compiled as CommonJS (in a CommonJS package; Node 22 requires Cairn's ES
 * modules from there without complaint) arrives with its exports, `default` among
 * them, as the module's default.
 */
function unwrapCommonJs<T>(loaded: UserModule<T>): { default?: T } {
  const exports = loaded.default;
  return exports && typeof exports === 'object' && 'default' in exports && (exports.__esModule || !('agents' in exports)) ? { default: exports.default } : loaded;
}

let typeScriptLoader: Promise<void> | undefined;

/**
 * Cairn itself runs compiled, so only a TypeScript config needs tsx's loader: registered
 * on the first one, not at every start. Registered twice (when the process was started with
 * `--import tsx`), it still loads each file once.
 */
function registerTypeScriptLoader(): Promise<void> {
  typeScriptLoader ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return typeScriptLoader;
}
