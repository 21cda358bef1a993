import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import { privateDirectoryMode, privateFileMode } from '../config/private-files.ts';
import { unwatchedRunEventsFlag } from '../workflow/unwatched-run-events.ts';

const sourceRoot = fileURLToPath(new URL('..', import.meta.url));
/** Running from the TypeScript sources (tests, `--conditions=cairn-source`) rather than from dist/. */
const fromSources = extname(import.meta.url) === '.ts';
export const workflowsPath = join(sourceRoot, 'workflow', `index${extname(import.meta.url)}`);

/** The node_modules folder this Cairn resolves `@temporalio/workflow` from. */
const sdkModules = resolve(dirname(fileURLToPath(import.meta.resolve('@temporalio/workflow'))), '..', '..', '..');

const inProcess = new Map<string, Promise<{ code: string }>>();

/**
 * The bundle for a worker with no subscriber for run events: its runs keep their events to
 * themselves (`forwardToSink`). The setting runs after the bundle's code and before its
 * inline source map, which the SDK reads from there to the end; no line moves.
 */
export function withRunEventsUnwatched(bundle: { code: string }): { code: string } {
  const statement = `globalThis.${unwatchedRunEventsFlag} = true;\n`;
  const sourceMap = bundle.code.lastIndexOf('//# sourceMappingURL=');
  return { code: sourceMap < 0 ? `${bundle.code}\n${statement}` : `${bundle.code.slice(0, sourceMap)}${statement}${bundle.code.slice(sourceMap)}` };
}

/**
 * The workflow bundle: Cairn's workflows plus any extra workflow modules (such
 * as the deep-research job), built once per set of sources. Bundling takes
 * seconds, and a worker restarted after a crash should be back at once, so
 * bundles are kept on disk under a hash of the sources they were built from.
 */
export function workflowBundle(
  cacheDirectory: string,
  extraModules: readonly string[] = [],
  options: { failureConverterPath?: string } = {},
): Promise<{ code: string }> {
  const modules = extraModules.map((module) => resolve(module));
  const key = JSON.stringify([cacheDirectory, modules, options.failureConverterPath]);
  let bundle = inProcess.get(key);
  if (!bundle) {
    bundle = loadOrBuild(cacheDirectory, modules, options.failureConverterPath);
    inProcess.set(key, bundle);
  }
  return bundle;
}

async function loadOrBuild(cacheDirectory: string, extraModules: string[], failureConverterPath: string | undefined): Promise<{ code: string }> {
  const sources = await sourcesHash([sourceRoot, ...extraModules.map((module) => dirname(module))]);
  // The failure converter is compiled into the bundle, so a bundle with it is a different bundle.
  const hash = failureConverterPath ? createHash('sha256').update(sources).update(failureConverterPath).digest('hex').slice(0, 16) : sources;
  const file = join(cacheDirectory, `workflow-${hash}.js`);
  if (existsSync(file)) return { code: await readFile(file, 'utf8') };
  await mkdir(cacheDirectory, { recursive: true, mode: privateDirectoryMode });
  let entry = workflowsPath;
  if (extraModules.length > 0) {
    // One entry re-exporting Cairn's workflows and the extra ones, by absolute path.
    entry = join(cacheDirectory, `entry-${hash}.ts`);
    const lines = [workflowsPath, ...extraModules].map((module) => `export * from ${JSON.stringify(module)};`);
    await writeFile(entry, `${lines.join('\n')}\n`, { mode: privateFileMode });
  }
  const { code } = await bundleWorkflowCode({
    workflowsPath: entry,
    ...(failureConverterPath ? { failureConverterPath } : {}),
    logger: quietLogger,
    webpackConfigHook: (config) => ({
      ...config,
      resolve: {
        ...config.resolve,
        // The generated entry sits in the cache directory: let it find the SDK where Cairn found it.
        modules: [...(config.resolve?.modules ?? ['node_modules']), sdkModules],
        // Workflow modules importing `@cairn/core/workflow` get the same build of it as this process.
        ...(fromSources ? { conditionNames: ['cairn-source', '...'] } : {}),
      },
    }),
  });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, code, { mode: privateFileMode });
  await rename(temporary, file);
  return { code };
}

/** A hash of the workflow sources in `directories` (and the SDK version): the bundle cache key. */
export async function sourcesHash(directories: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const directory of directories) {
    const files = (await readdir(directory, { recursive: true }))
      // Workflow modules may be written in JavaScript too: an edited .js module must not run from a stale bundle.
      .filter((file) => /\.(ts|mts|cts|js|mjs|cjs)$/.test(file) && !/\.test\.[mc]?[jt]s$/.test(file) && !file.includes('node_modules'))
      .sort();
    for (const file of files) hash.update(join(directory, file)).update(await readFile(join(directory, file)));
  }
  const workflowPackage = await readFile(join(dirname(fileURLToPath(import.meta.resolve('@temporalio/workflow'))), '..', 'package.json'));
  return hash.update(workflowPackage).digest('hex').slice(0, 16);
}

const quietLogger = {
  log: () => {},
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
