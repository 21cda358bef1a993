import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const sourceRoot = fileURLToPath(new URL('..', import.meta.url));
export const workflowsPath = join(sourceRoot, 'workflow', 'index.ts');

let inProcess: Promise<{ code: string }> | undefined;

/**
 * The workflow bundle, built once per set of sources. Bundling takes seconds,
 * and a worker restarted after a crash should be back at once, so bundles are
 * kept on disk under a hash of the sources they were built from.
 */
export function workflowBundle(cacheDirectory: string): Promise<{ code: string }> {
  inProcess ??= loadOrBuild(cacheDirectory);
  return inProcess;
}

async function loadOrBuild(cacheDirectory: string): Promise<{ code: string }> {
  const file = join(cacheDirectory, `workflow-${await sourcesHash()}.js`);
  if (existsSync(file)) return { code: await readFile(file, 'utf8') };
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, code);
  await rename(temporary, file);
  return { code };
}

async function sourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = (await readdir(sourceRoot, { recursive: true }))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .sort();
  for (const file of files) hash.update(file).update(await readFile(join(sourceRoot, file)));
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
