/**
 * The embedded stack: a Temporal dev server and a worker running in the
 * background, recorded in pid files under CAIRN_HOME so that any later `cairn`
 * command (from any terminal) finds them, and `cairn down` stops them.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CairnError } from '@cairn/core/errors';
import { cairnHome, ensurePrivateDirectory, findConfigFile, privateFileMode, taskQueue as resolveTaskQueue } from '@cairn/core/config';
import { connectToTemporal, isEmbedded } from '@cairn/core/temporal';
import { localEncryptionKeysPath } from '@cairn/core/encryption/keys';
import { stackEncryption } from './encryption.ts';
import { acquireFileLock, isProcessAlive, startDevServer, stopDevServerProcess } from '@cairn/dev-server';

export interface ServerRecord {
  pid: number;
  address: string;
  uiUrl?: string;
  dbFile: string;
  logFile: string;
  /** Where the Web UI looks for `cairn codec-server` to decode this stack's encrypted payloads. */
  codecUrl?: string;
}

export interface WorkerRecord {
  pid: number;
  configPath?: string;
  taskQueue?: string;
  /** What of its environment decides which models it can call (see {@link modelSettings}). */
  models?: Record<string, string | boolean>;
  logFile: string;
  startedAt: string;
}

const home = () => cairnHome();
const serverFile = () => join(home(), 'server.json');
const workerFile = () => join(home(), 'worker.json');


/**
 * The record in `file` while the process it names is still the one Cairn
 * started. A pid is reused once its process ends: after a reboot or a crash
 * the file may name someone else's process, which must never be signalled.
 */
function readRecord<T extends { pid: number }>(file: string, isOurs: (command: string) => boolean): T | undefined {
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as T;
  if (isProcessAlive(record.pid) && isOurs(commandOf(record.pid))) return record;
  rmSync(file, { force: true });
  return undefined;
}

/** The command line of a live process ('' when it cannot be read). */
function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export const runningServer = () => readRecord<ServerRecord>(serverFile(), (command) => /\btemporal\b.* server start-dev\b/.test(command));
export const runningWorker = () => readRecord<WorkerRecord>(workerFile(), (command) => /\bcairn\.js worker\b/.test(command));

/** The embedded stack coming up: server and worker started together, awaited by the command once it needs them. */
export interface StackBringUp {
  server: Promise<ServerRecord>;
  /** Settles once a worker runs; which config and queue it must serve is still for `ensureWorker` to judge. */
  worker: Promise<void>;
}

/**
 * Starts the embedded server and, when none runs, a worker for the config a command will
 * load, before the command loads its own modules: this module loads in a fraction of the
 * time those take, and the server and worker start meanwhile. Undefined on a cluster, or
 * when `--config` names no file (the command then says so).
 */
export function bringUpStack(options: { config?: string; taskQueue?: string }, log: (line: string) => void): StackBringUp | undefined {
  if (!isEmbedded()) return undefined;
  const configPath = findConfigFile({ path: options.config });
  if (options.config && !configPath) return undefined;
  const server = ensureServer(log).then(({ record }) => record);
  // A worker already running is left alone here, even one for another config: ensureWorker decides, once the command knows its task queue.
  const worker = runningWorker() ? Promise.resolve() : ensureWorker(configPath, log, resolveTaskQueue(options.taskQueue)).then(() => undefined);
  // A command that fails first never awaits these; their own failure is reported when it does.
  server.catch(() => {});
  worker.catch(() => {});
  return { server, worker };
}

/**
 * Starts the embedded Temporal server unless one is running; its data lives in CAIRN_HOME/temporal.db.
 * Two commands started at once must not both start a server on one database (SQLite refuses the
 * second, busy): the first takes CAIRN_HOME/server.lock and the other waits for its server.
 */
export async function ensureServer(log: (line: string) => void): Promise<{ record: ServerRecord; started: boolean }> {
  const existing = runningServer();
  if (existing) return { record: existing, started: false };
  ensurePrivateDirectory(home());
  const started = await whileLocked('server.lock', 'starting the embedded Temporal server', log, () => runningServer() !== undefined, startServer);
  if (started !== 'done') return { record: started, started: true };
  const record = runningServer();
  if (!record) throw new CairnError('Another cairn command started the embedded Temporal server, and it has stopped again.', { hint: `See ${join(home(), 'server.log')}, then try again.` });
  return { record, started: false };
}

async function startServer(log: (line: string) => void): Promise<ServerRecord> {
  const port = Number(process.env.CAIRN_TEMPORAL_PORT ?? 7233);
  const uiPort = Number(process.env.CAIRN_TEMPORAL_UI_PORT ?? port + 1000);
  const codecUrl = `http://127.0.0.1:${Number(process.env.CAIRN_CODEC_PORT ?? uiPort + 1)}`;
  log(`Starting the embedded Temporal server on 127.0.0.1:${port} …`);
  // Keys before the database: a home whose server has never run needs no plain payloads read, ever.
  stackEncryption(true);
  const server = await startDevServer({
    dbFile: join(home(), 'temporal.db'),
    port,
    uiPort,
    uiCodecEndpoint: codecUrl,
    detached: true,
    logFile: join(home(), 'server.log'),
    onProgress: log,
  });
  const record: ServerRecord = { pid: server.pid, address: server.address, uiUrl: server.uiUrl, dbFile: server.dbFile!, logFile: server.logFile!, codecUrl };
  // The server creates its database readable by all; SQLite gives its journal files the database's mode.
  for (const file of [record.dbFile, `${record.dbFile}-wal`, `${record.dbFile}-shm`]) if (existsSync(file)) chmodSync(file, privateFileMode);
  writeFileSync(serverFile(), JSON.stringify(record, null, 2), { mode: privateFileMode });
  return record;
}

/**
 * Runs `work` holding the lock file `name` in CAIRN_HOME, or returns 'done' once `isDone` says
 * another process did the work while we waited. The lock is refreshed while `work` runs (a
 * first start may build the Temporal CLI for minutes), so only a dead holder's lock goes stale.
 */
async function whileLocked<T>(name: string, activity: string, log: (line: string) => void, isDone: () => boolean, work: (log: (line: string) => void) => Promise<T>): Promise<T | 'done'> {
  // A worker starting beside the server waits here for it: look often, a cold start's first model request waits too.
  const lock = await acquireFileLock(join(home(), name), { activity, report: log, isDone: async () => isDone(), pollMs: 50 });
  if (lock === 'done') return 'done';
  const refresher = setInterval(() => void lock.refresh(), 30_000);
  try {
    if (isDone()) return 'done'; // done by another process between our check and taking the lock
    return await work(log);
  } finally {
    clearInterval(refresher);
    await lock.release();
  }
}

/**
 * Starts a background worker (`cairn worker`) unless one is running for this config and
 * task queue, with this shell's model settings. Otherwise it is replaced: its runs are
 * durable and continue once a worker serving them is back.
 */
export async function ensureWorker(
  configPath: string | undefined,
  log: (line: string) => void,
  taskQueue: string,
): Promise<{ record: WorkerRecord; started: boolean }> {
  // The keys first: the worker's record names them, and a server starting alongside may be making them.
  stackEncryption(true);
  const needed = { configPath, taskQueue, models: modelSettings() };
  const serving = () => {
    const existing = runningWorker();
    return existing && !whyStale(existing, needed) ? existing : undefined;
  };
  const existing = serving();
  if (existing) return { record: existing, started: false };
  ensurePrivateDirectory(home());
  // Like the server: two commands at once start one worker, not two that both poll.
  const started = await whileLocked('worker.lock', 'starting the background worker', log, () => serving() !== undefined, () => startWorker(needed, log));
  if (started !== 'done') return { record: started, started: true };
  const record = serving();
  if (!record) throw new CairnError('Another cairn command started the background worker, and it has stopped again.', { hint: `See ${join(home(), 'worker.log')}, then try again.` });
  return { record, started: false };
}

async function startWorker(needed: Pick<WorkerRecord, 'configPath' | 'taskQueue' | 'models'>, log: (line: string) => void): Promise<WorkerRecord> {
  const existing = runningWorker();
  if (existing) {
    log(`Restarting the background worker: ${whyStale(existing, needed)}.`);
    await stopWorker();
  }
  const { configPath, taskQueue } = needed;
  const logFile = join(home(), 'worker.log');
  const out = openSync(logFile, 'a', privateFileMode);
  // The ready line is looked for only in what this worker writes: the log of earlier workers may be long.
  const logOffset = fstatSync(out).size;
  const bin = fileURLToPath(new URL('../bin/cairn.js', import.meta.url));
  const args = [bin, 'worker', '--task-queue', taskQueue!, ...(configPath ? ['--config', configPath] : [])];
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out], env: process.env });
  child.unref();
  const record: WorkerRecord = { pid: child.pid!, ...needed, logFile, startedAt: new Date().toISOString() };
  writeFileSync(workerFile(), JSON.stringify(record, null, 2), { mode: privateFileMode });
  await waitForWorkerReady(logFile, logOffset, child.pid!);
  log(`Started a background worker (pid ${record.pid}, log ${logFile}).`);
  return record;
}

/** Why a running worker cannot serve what a command needs, if it cannot. */
function whyStale(worker: WorkerRecord, needed: Pick<WorkerRecord, 'configPath' | 'taskQueue' | 'models'>): string | undefined {
  const describe = (path?: string) => path ?? 'the built-in agents';
  const { configPath } = needed;
  if (worker.configPath !== configPath) return `it serves ${describe(worker.configPath)}, not ${describe(configPath)}`;
  if (configPath && existsSync(configPath) && statSync(configPath).mtimeMs > Date.parse(worker.startedAt)) return `${configPath} changed since it started`;
  if (worker.taskQueue !== needed.taskQueue) return `it polls task queue '${worker.taskQueue ?? '?'}', not '${needed.taskQueue}'`;
  if (JSON.stringify(worker.models) !== JSON.stringify(needed.models)) return 'the model settings (API keys, base URLs, CAIRN_MODEL, search provider), blob store or encryption keys changed since it started';
  return undefined;
}

/**
 * The worker runs with the environment of the command that started it. These variables
 * decide which models (and which web search) it can call; keys are recorded only as set or
 * not, never their values.
 */
function modelSettings(env: NodeJS.ProcessEnv = process.env): Record<string, string | boolean> {
  // Keys and URLs (which can carry credentials) are recorded by a digest: never readable, yet a change shows.
  const digest = (value: string | undefined) => (value ? createHash('sha256').update(value).digest('hex').slice(0, 16) : '');
  // A config's own providers read variables of their own (ACME_API_KEY, OLLAMA_BASE_URL): the config is not
  // loaded yet when this is decided, so every key and base URL variable counts.
  const providerVariables = Object.keys(env)
    .filter((name) => /_(API_KEY|BASE_URL)$/.test(name))
    .sort()
    .map((name) => [name, digest(env[name])] as const);
  return {
    ...Object.fromEntries(providerVariables),
    OPENAI_API_KEY: digest(env.OPENAI_API_KEY),
    OPENAI_BASE_URL: digest(env.OPENAI_BASE_URL),
    ANTHROPIC_API_KEY: digest(env.ANTHROPIC_API_KEY),
    ANTHROPIC_BASE_URL: digest(env.ANTHROPIC_BASE_URL),
    CAIRN_MODEL: env.CAIRN_MODEL ?? '',
    TAVILY_API_KEY: digest(env.TAVILY_API_KEY),
    BRAVE_API_KEY: digest(env.BRAVE_API_KEY),
    SEARXNG_URL: digest(env.SEARXNG_URL),
    CAIRN_SEARCH_PROVIDER: env.CAIRN_SEARCH_PROVIDER ?? '',
    // Where runs keep their transcripts: a worker on another store would not find this shell's.
    CAIRN_BLOB_STORE: digest(env.CAIRN_BLOB_STORE),
    CAIRN_BLOB_DIR: digest(env.CAIRN_BLOB_DIR),
    // A worker from before encryption, or holding other keys, cannot serve this stack's runs.
    CAIRN_ENCRYPTION_KEYS: digest(env.CAIRN_ENCRYPTION_KEYS),
    encryptionKeys: digest(existsSync(localEncryptionKeysPath(home())) ? readFileSync(localEncryptionKeysPath(home()), 'utf8') : undefined),
  };
}

/** The worker prints a ready line once it polls; fail early with its log if it dies first. */
async function waitForWorkerReady(logFile: string, offset: number, pid: number, timeoutMs = 120_000): Promise<void> {
  const start = Date.now();
  while (Date.now() - start < timeoutMs) {
    const output = readSince(logFile, offset);
    if (output.includes('Worker ready')) return;
    if (!isProcessAlive(pid)) {
      rmSync(workerFile(), { force: true });
      throw new CairnError(`The background worker exited at start:\n${output.trim().split('\n').slice(-15).join('\n')}`, {
        hint: `See ${logFile}.`,
      });
    }
    // A cold start's first model request waits on this line: look often.
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new CairnError(`The background worker did not become ready within ${timeoutMs / 1000} s.`, { hint: `See ${logFile}.` });
}

function readSince(file: string, offset: number): string {
  const descriptor = openSync(file, 'r');
  try {
    const length = Math.max(0, fstatSync(descriptor).size - offset);
    const buffer = Buffer.alloc(length);
    readSync(descriptor, buffer, 0, length, offset);
    return buffer.toString('utf8');
  } finally {
    closeSync(descriptor);
  }
}

export async function stopWorker(): Promise<WorkerRecord | undefined> {
  const record = runningWorker();
  if (record) await stopDevServerProcess(record.pid);
  rmSync(workerFile(), { force: true });
  return record;
}

export async function stopServer(): Promise<ServerRecord | undefined> {
  const record = runningServer();
  if (record) await stopDevServerProcess(record.pid);
  rmSync(serverFile(), { force: true });
  return record;
}

/** Checks that the recorded server still answers (a pid can be alive and the server hung). */
export async function serverAnswers(record: ServerRecord): Promise<boolean> {
  try {
    const { connection } = await connectToTemporal({ address: record.address, connectTimeoutMs: 3000 });
    await connection.close();
    return true;
  } catch {
    return false;
  }
}
