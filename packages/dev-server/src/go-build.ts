/**
 * Building a Go program from the Go module proxy into Cairn's binary cache,
 * with progress while it runs: how Cairn gets the Temporal CLI, and how its
 * tests get their S3-compatible server, where neither is installed.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { CairnError } from '@cairn/core/errors';
import { acquireFileLock } from './file-lock.ts';
import { homedir } from 'node:os';

type Env = Record<string, string | undefined>;

/**
 * The directory Cairn keeps the binaries it builds in: `$CAIRN_CACHE_DIR`, else
 * `$XDG_CACHE_HOME/cairn/bin`, else `~/.cache/cairn/bin`.
 */
export function binaryCacheDir(env: Env = process.env): string {
  if (env.CAIRN_CACHE_DIR) return env.CAIRN_CACHE_DIR;
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'cairn', 'bin');
  return join(env.HOME || homedir(), '.cache', 'cairn', 'bin');
}

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findOnPath(name: string, env: Env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

export interface GoRunOptions {
  cwd?: string;
  env: Env;
  /** What is being built, for progress lines: "the Temporal CLI". */
  what: string;
  report: (line: string) => void;
  progressIntervalMs: number;
  /** Called with each progress line, so that a build lock stays fresh. */
  onTick?: () => void;
}

/** Runs `go <args>`, reporting progress; resolves with its exit code (null when killed) and the last 200 lines it printed. */
export async function runGo(go: string, args: string[], options: GoRunOptions): Promise<{ code: number | null; output: string[] }> {
  const started = Date.now();
  let downloads = 0;
  const output: string[] = [];
  let pending = '';
  const onData = (chunk: Buffer): void => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('go: downloading')) downloads++;
      output.push(line);
      if (output.length > 200) output.shift();
    }
  };
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(go, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setInterval(() => {
      options.onTick?.();
      const seconds = Math.round((Date.now() - started) / 1000);
      options.report(`Still building ${options.what}… ${seconds}s` + (downloads ? ` (${downloads} modules downloaded)` : ''));
    }, options.progressIntervalMs);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearInterval(timer);
      if (pending) output.push(pending);
      resolve(signal ? null : exitCode);
    });
  });
  return { code, output };
}

export interface GoModuleProgram {
  /** The binary's name in the cache (the version is added to it). */
  name: string;
  /** For people: "SeaweedFS". */
  what: string;
  module: string;
  version: string;
  /** The main package inside the module, such as `./weed`. */
  packagePath: string;
}

/**
 * A program built from a module's own folder, with its own go.mod: for modules
 * whose `replace` directives keep `go install module@version` from working.
 * Cached under Cairn's binary cache by name and version; concurrent callers wait
 * for one build.
 */
export async function ensureGoModuleBinary(program: GoModuleProgram, options: { env?: Env; onProgress?: (line: string) => void } = {}): Promise<string> {
  const env = options.env ?? process.env;
  const report = options.onProgress ?? (() => {});
  const cacheDir = binaryCacheDir(env);
  const binary = join(cacheDir, `${program.name}-${program.version}`);
  if (isExecutableFile(binary)) return binary;
  const go = findOnPath('go', env);
  if (!go) throw new CairnError(`${program.what} is not built (${binary}) and Go is not installed to build it.`, { hint: 'Install Go, then run the command again.' });

  await mkdir(cacheDir, { recursive: true });
  const lock = await acquireFileLock(join(cacheDir, `.${program.name}-build.lock`), {
    activity: `building ${program.what}`,
    report,
    isDone: async () => isExecutableFile(binary),
    staleLockMs: 2 * 60_000,
  });
  if (lock === 'done') return binary;
  const buildDir = join(cacheDir, `.build-${program.name}-${process.pid}-${Date.now()}`);
  try {
    if (isExecutableFile(binary)) return binary;
    const target = `${program.module}@${program.version}`;
    report(`Building ${program.what} from ${target} with Go into ${cacheDir}: the first build takes several minutes; later runs reuse it.`);
    const started = Date.now();
    const run = (args: string[], cwd?: string) => runGo(go, args, { cwd, env, what: program.what, report, progressIntervalMs: 15_000, onTick: () => void lock.refresh() });
    const downloaded = await run(['mod', 'download', '-json', target]);
    // Its JSON names the module's folder; progress lines may come between.
    const folder = downloaded.code === 0 ? /"Dir":\s*"([^"]+)"/.exec(downloaded.output.join('\n'))?.[1] : undefined;
    if (!folder) throw new CairnError(`'go mod download ${target}' failed:\n${downloaded.output.slice(-20).join('\n')}`, { hint: 'Check access to the Go module proxy (GOPROXY).' });
    await mkdir(buildDir, { recursive: true });
    const built = await run(['build', '-o', join(buildDir, program.name), program.packagePath], folder);
    if (built.code !== 0) throw new CairnError(`Building ${program.what} failed ('go build ${program.packagePath}' in ${folder}):\n${built.output.slice(-30).join('\n')}`, { hint: 'Fix the Go error above (module proxy access? disk space?).' });
    await rename(join(buildDir, program.name), binary);
    report(`Built ${program.what} in ${Math.round((Date.now() - started) / 1000)}s: ${binary}`);
    return binary;
  } finally {
    await rm(buildDir, { recursive: true, force: true });
    await lock.release();
  }
}
