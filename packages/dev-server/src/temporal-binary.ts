/**
 * Finding — and, where it is missing, building — the Temporal CLI binary that runs the
 * embedded dev server (`temporal server start-dev`).
 *
 * Lookup order: `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then Cairn's cache directory.
 * When none has it and Go is installed, `go install` builds the pinned CLI version into the
 * cache directory. A lock file in that directory makes concurrent callers (parallel test
 * workers, the CLI and the tests) wait for one build instead of starting their own.
 */
import { execFile } from 'node:child_process';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError } from '@cairn/core/errors';
import { acquireFileLock } from './file-lock.ts';
import { binaryCacheDir, findOnPath, isExecutableFile, runGo } from './go-build.ts';

/** The CLI version Cairn builds. Later tags carry a go.mod `replace` and cannot be go-installed. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';

const exeName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
const goName = process.platform === 'win32' ? 'go.exe' : 'go';
const lockName = '.temporal-build.lock';

type Env = Record<string, string | undefined>;

/** The Temporal CLI could not be found, built or run. */
export class TemporalBinaryError extends CairnError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'TemporalBinaryError';
  }
}

const ownBinaryHint = `install the Temporal CLI yourself and put 'temporal' on PATH, or set TEMPORAL_CLI_PATH to its path.`;
const installHint = `Install Go so Cairn can build the Temporal CLI, or ${ownBinaryHint}`;

/** The directory Cairn keeps its Temporal CLI binary in (see {@link binaryCacheDir}). */
export const temporalCacheDir = binaryCacheDir;

export interface FindTemporalBinaryOptions {
  /** Environment to read (TEMPORAL_CLI_PATH, PATH, cache variables). Defaults to `process.env`. */
  env?: Env;
}

/**
 * The path of a Temporal CLI executable, or undefined: `TEMPORAL_CLI_PATH`, then `temporal`
 * on PATH, then the cache directory. Only checks that the file is executable; see
 * {@link ensureTemporalBinary} for a binary that is verified to run.
 */
export function findTemporalBinary(options: FindTemporalBinaryOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const fromEnv = env.TEMPORAL_CLI_PATH;
  if (fromEnv && isExecutableFile(fromEnv)) return fromEnv;
  const onPath = findOnPath(exeName, env);
  if (onPath) return onPath;
  const cached = join(temporalCacheDir(env), exeName);
  return isExecutableFile(cached) ? cached : undefined;
}

/** The first line `temporal --version` prints, or a TemporalBinaryError saying why it did not run. */
export async function getTemporalVersion(binary: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['--version'], { timeout: timeoutMs }, (error, stdout, stderr) => {
      const output = `${stdout}${stderr}`.trim();
      if (error) {
        reject(
          new TemporalBinaryError(
            `The Temporal CLI at ${binary} does not run ('${binary} --version' failed: ${error.message.trim()})` +
              (output ? `:\n${tail(output, 20)}` : '.'),
            {
              hint:
                `Replace or remove ${binary} (a broken copy in Cairn's cache is rebuilt when Go is installed), ` +
                `or set TEMPORAL_CLI_PATH to a working Temporal CLI.`,
              cause: error,
            },
          ),
        );
        return;
      }
      resolve(output.split('\n')[0] ?? output);
    });
  });
}

export interface EnsureTemporalBinaryOptions {
  /** Receives human-readable progress lines (build start, "still building… 45s", waits). */
  onProgress?: (line: string) => void;
  /** Environment to read and to run `go` with. Defaults to `process.env`. */
  env?: Env;
  /** How often a "still building" line is reported. Default 15 s. */
  progressIntervalMs?: number;
  /** How long to wait for another process's build before giving up. Default 30 min. */
  waitTimeoutMs?: number;
  /** A lock not refreshed for this long is abandoned (its builder died). Default 2 min. */
  staleLockMs?: number;
}

/**
 * A Temporal CLI binary that runs: found by {@link findTemporalBinary}, or built with Go into
 * the cache directory when missing. Throws a {@link TemporalBinaryError} with the reason and
 * what to do when neither works.
 */
export async function ensureTemporalBinary(options: EnsureTemporalBinaryOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const report = options.onProgress ?? (() => {});

  if (env.TEMPORAL_CLI_PATH && !isExecutableFile(env.TEMPORAL_CLI_PATH)) {
    throw new TemporalBinaryError(`TEMPORAL_CLI_PATH is set to '${env.TEMPORAL_CLI_PATH}', which is not an executable file.`, {
      hint: 'Point TEMPORAL_CLI_PATH at a Temporal CLI binary, or unset it to let Cairn find or build one.',
    });
  }

  const cacheDir = temporalCacheDir(env);
  const cached = join(cacheDir, exeName);
  const found = findTemporalBinary({ env });
  if (found && found !== cached) {
    await getTemporalVersion(found); // TEMPORAL_CLI_PATH or PATH: the user's own binary; report, never replace
    return found;
  }
  if (found && (await runs(found))) return found;

  const go = findOnPath(goName, env);
  if (!go && found) await getTemporalVersion(found); // a broken cached binary and no Go to rebuild it: say so
  if (!go) {
    throw new TemporalBinaryError(
      `The Temporal CLI ('temporal') was not found (not in TEMPORAL_CLI_PATH, not on PATH, not in ${cacheDir}) ` +
        `and Go is not installed to build it.`,
      { hint: installHint },
    );
  }

  await mkdir(cacheDir, { recursive: true });
  const lock = await acquireFileLock(join(cacheDir, lockName), {
    activity: 'building the Temporal CLI',
    makeError: (message, hint) => new TemporalBinaryError(message, { hint }),
    report,
    isDone: async () => isExecutableFile(cached) && (await runs(cached)),
    waitTimeoutMs: options.waitTimeoutMs ?? 30 * 60_000,
    staleLockMs: options.staleLockMs ?? 2 * 60_000,
  });
  if (lock === 'done') return cached; // another process built it while we waited
  try {
    // Built by another process between our check and taking the lock?
    if (isExecutableFile(cached) && (await runs(cached))) return cached;
    await goInstall(go, cacheDir, env, report, options.progressIntervalMs ?? 15_000, lock.refresh);
    const version = await getTemporalVersion(cached);
    report(`Temporal CLI ready: ${cached} (${version})`);
    return cached;
  } finally {
    await lock.release();
  }
}

async function runs(binary: string): Promise<boolean> {
  try {
    await getTemporalVersion(binary);
    return true;
  } catch {
    return false;
  }
}

/** Runs `go install` into a private directory, then moves the binary into place atomically. */
async function goInstall(
  go: string,
  cacheDir: string,
  env: Env,
  report: (line: string) => void,
  progressIntervalMs: number,
  refreshLock: () => Promise<void>,
): Promise<void> {
  const buildDir = join(cacheDir, `.build-${process.pid}-${Date.now()}`);
  await mkdir(buildDir, { recursive: true });
  const target = `${TEMPORAL_CLI_PACKAGE}@${TEMPORAL_CLI_VERSION}`;
  report(
    `Building the Temporal CLI ${TEMPORAL_CLI_VERSION} with Go into ${cacheDir} — ` +
      `the first build takes several minutes; later runs reuse it.`,
  );
  const started = Date.now();
  try {
    const { code, output } = await runGo(go, ['install', target], {
      env: { ...env, GOBIN: buildDir },
      what: 'the Temporal CLI',
      report,
      progressIntervalMs,
      onTick: () => void refreshLock(),
    }).catch((error: unknown) => {
      throw new TemporalBinaryError(`Could not run Go (${go}) to build the Temporal CLI: ${(error as Error).message}`, {
        hint: installHint,
        cause: error,
      });
    });
    if (code !== 0) {
      throw new TemporalBinaryError(
        `Building the Temporal CLI failed: 'go install ${target}' ` +
          `${code === null ? 'was killed' : `exited with code ${code}`}:\n${tail(output.join('\n'), 30)}`,
        { hint: `Fix the Go error above (network access to the Go module proxy? disk space?), or ${ownBinaryHint}` },
      );
    }
    const built = join(buildDir, exeName);
    if (!isExecutableFile(built)) {
      throw new TemporalBinaryError(`'go install ${target}' succeeded but left no ${exeName} in ${buildDir}.`, {
        hint: `Check GOOS/GOARCH/GOFLAGS in your Go environment, or ${ownBinaryHint}`,
      });
    }
    await rename(built, join(cacheDir, exeName));
    report(`Built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)}s.`);
  } finally {
    await rm(buildDir, { recursive: true, force: true });
  }
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
