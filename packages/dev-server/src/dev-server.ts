/**
 * The embedded Temporal server: the Temporal CLI's `temporal server start-dev`, persisting
 * to a SQLite file (or in memory), with Cairn's search attributes registered at start.
 * Used by the CLI's embedded mode (`cairn up` runs it detached) and by the test suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { CairnError } from '@cairn/core/errors';
import { withoutSecrets } from '@cairn/core/redact';
import { DEFAULT_NAMESPACE, ensureSearchAttributes, searchAttributeCliArgs } from '@cairn/core/temporal';
import { isProcessAlive } from './process-alive.ts';
import { ensureTemporalBinary } from './temporal-binary.ts';

const host = '127.0.0.1';

export interface DevServerOptions {
  /** SQLite file to persist to (created with its directory if missing). Omitted: in memory. */
  dbFile?: string;
  /** gRPC port. Default: a free port. */
  port?: number;
  /** Web UI port, or `false` for none (headless). Default: a free port. */
  uiPort?: number | false;
  /** A remote codec the Web UI decodes payloads with (Temporal's codec server protocol), such as `cairn codec-server`. */
  uiCodecEndpoint?: string;
  /** Namespace to create besides "default". Default "default". */
  namespace?: string;
  /** File receiving the server's output. Default: kept in memory (a temp file when detached). */
  logFile?: string;
  /** Let the server outlive this process (`cairn up`). */
  detached?: boolean;
  /** Temporal CLI binary. Default: {@link ensureTemporalBinary}. */
  binary?: string;
  /** Progress lines while the binary is found or built. */
  onProgress?: (line: string) => void;
  /** How long to wait for the server to accept connections. Default 60 s. */
  startTimeoutMs?: number;
}

export interface DevServer {
  /** `127.0.0.1:<port>`, for `TEMPORAL_ADDRESS` or `Connection.connect({ address })`. */
  address: string;
  /** The Temporal Web UI, unless headless. */
  uiUrl?: string;
  namespace: string;
  pid: number;
  dbFile?: string;
  logFile?: string;
  /** SIGTERM, then SIGKILL if the server has not exited after a grace period. */
  stop(): Promise<void>;
}

/** The dev server could not start. The message carries the tail of its log. */
export class DevServerError extends CairnError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'DevServerError';
  }
}

/** Starts `temporal server start-dev` and resolves once it serves the namespace. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const port = options.port ?? (await getFreePort());
  if (options.port !== undefined) await assertPortFree(port, 'gRPC');
  let uiPort = options.uiPort === false ? undefined : (options.uiPort ?? (await getFreePort()));
  while (options.uiPort === undefined && uiPort === port) uiPort = await getFreePort();
  if (typeof options.uiPort === 'number') await assertPortFree(options.uiPort, 'UI');
  const binary = options.binary ?? (await ensureTemporalBinary({ onProgress: options.onProgress }));
  const dbFile = options.dbFile ? resolve(options.dbFile) : undefined;
  if (dbFile) mkdirSync(dirname(dbFile), { recursive: true });
  const logFile =
    options.logFile !== undefined
      ? resolve(options.logFile)
      : options.detached
        ? join(tmpdir(), `cairn-temporal-${port}.log`)
        : undefined;

  const args = [
    'server',
    'start-dev',
    '--ip',
    host,
    '--port',
    String(port),
    ...(uiPort === undefined ? ['--headless'] : ['--ui-port', String(uiPort), ...(options.uiCodecEndpoint ? ['--ui-codec-endpoint', options.uiCodecEndpoint] : [])]),
    '--log-level',
    'warn',
    ...(dbFile ? ['--db-filename', dbFile] : []),
    ...(namespace !== DEFAULT_NAMESPACE ? ['--namespace', namespace] : []),
    ...searchAttributeCliArgs(),
    // A worker that schedules an activity on its own task queue gets it back in the same round trip.
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
  ];

  const log = new LogTail(logFile);
  let child: ChildProcess;
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true });
    const fd = openSync(logFile, 'a', 0o600);
    try {
      child = spawn(binary, args, { stdio: ['ignore', fd, fd], detached: options.detached ?? false, env: withoutSecrets() });
    } finally {
      closeSync(fd);
    }
  } else {
    child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false, env: withoutSecrets() });
    child.stdout?.on('data', (chunk: Buffer) => log.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => log.push(chunk));
  }

  let exit: { code: number | null; signal: NodeJS.Signals | null; error?: Error } | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('error', (error) => {
      exit ??= { code: null, signal: null, error };
      resolveExit();
    });
    child.once('exit', (code, signal) => {
      exit ??= { code, signal };
      resolveExit();
    });
  });
  // A server we own dies with us, even when the test run or the CLI crashes.
  const killOnExit = (): void => {
    if (!exit) child.kill('SIGKILL');
  };
  if (!options.detached) process.on('exit', killOnExit);

  const address = `${host}:${port}`;
  const describe = `'${binary} ${args.join(' ')}'`;
  const fail = async (message: string, hint: string, cause?: unknown): Promise<never> => {
    if (!exit) {
      child.kill('SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    }
    process.off('exit', killOnExit);
    const tail = await log.tail();
    throw new DevServerError(`${message}\nCommand: ${describe}\n${tail ? `Last lines of its output:\n${tail}` : '(it printed nothing)'}`, {
      hint,
      cause,
    });
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    if (exit) {
      const how = exit.error
        ? `could not be started: ${exit.error.message}`
        : `exited during start with ${exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`}`;
      const output = await log.tail();
      return fail(`The Temporal dev server ${how}.`, whyStartFailed(output, dbFile), exit.error);
    }
    if (Date.now() > deadline) {
      return fail(
        `The Temporal dev server did not accept connections on ${address} within ${Math.round(timeoutMs / 1000)}s` +
          (lastError ? ` (last error: ${(lastError as Error).message})` : '') +
          '.',
        'The machine may be slow or overloaded: try again, or pass a longer startTimeoutMs.',
        lastError,
      );
    }
    // A TCP probe every 50 ms is cheap; a gRPC client is not, so it waits until the port is open.
    if (!(await portAccepts(host, port))) {
      await Promise.race([exited, sleep(50)]);
      continue;
    }
    try {
      const attempt = (async () => {
        const { Connection } = await import('@temporalio/client');
        const connection = await Connection.connect({
          address,
          connectTimeout: Math.max(500, Math.min(2_000, deadline - Date.now())),
          interceptors: [], // no retries: this loop is the retry
        });
        try {
          await connection.workflowService.describeNamespace({ namespace });
          await ensureSearchAttributes(connection, namespace);
        } finally {
          await connection.close();
        }
      })();
      attempt.catch(() => {}); // when the process exits first, this attempt's failure is moot
      // Stop waiting as soon as the process dies or the deadline passes.
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([
        attempt.then(() => 'ready' as const),
        exited.then(() => 'exited' as const),
        new Promise<'timeout'>((resolveTimeout) => {
          timer = setTimeout(() => resolveTimeout('timeout'), Math.max(0, deadline - Date.now()) + 100);
        }),
      ]).finally(() => clearTimeout(timer));
      if (outcome === 'ready') break;
    } catch (error) {
      lastError = error;
      await Promise.race([exited, sleep(100)]);
    }
  }

  if (options.detached) {
    child.unref();
  }

  let stopping: Promise<void> | undefined;
  return {
    address,
    ...(uiPort !== undefined && { uiUrl: `http://${host}:${uiPort}` }),
    namespace,
    pid: child.pid!,
    ...(dbFile && { dbFile }),
    ...(logFile && { logFile }),
    stop() {
      stopping ??= (async () => {
        process.off('exit', killOnExit);
        if (exit) return;
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (exit) return;
        child.kill('SIGKILL');
        await Promise.race([exited, sleep(5_000)]);
      })();
      return stopping;
    },
  };
}

/**
 * Stops a dev server started by another process (`cairn down` after a detached `cairn up`):
 * SIGTERM, then SIGKILL after `graceMs`. Resolves true if a process was stopped.
 */
/** The hint for a server that exited during start, from what it printed. */
function whyStartFailed(output: string, dbFile: string | undefined): string {
  if (/in use|address already|can't set .*port/i.test(output)) return 'A port is taken: choose other ports, or stop the process holding it.';
  if (dbFile && /SQLITE_BUSY|database is locked/i.test(output)) {
    return `Another Temporal server is using ${dbFile}: stop it ('cairn down' stops the one Cairn started) or give this one another database file.`;
  }
  return `Check its output above${dbFile ? ` (is ${dbFile} damaged?)` : ''}; set TEMPORAL_CLI_PATH to another Temporal CLI to rule out the binary.`;
}

export async function stopDevServerProcess(pid: number, graceMs = 10_000): Promise<boolean> {
  if (!isProcessAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isProcessAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    const killDeadline = Date.now() + 5_000;
    while (isProcessAlive(pid) && Date.now() < killDeadline) await sleep(100);
  }
  return true;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function getFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

async function assertPortFree(port: number, what: string): Promise<void> {
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new DevServerError(`Cannot start the Temporal dev server: ${what} port ${port} on ${host} is already in use.`, {
              hint:
                `Another Temporal server may already be running there ('cairn up'?). Use it with ` +
                `TEMPORAL_ADDRESS=${host}:${port}, stop it, or choose another port.`,
              cause: error,
            })
          : new DevServerError(`Cannot start the Temporal dev server: ${what} port ${port} on ${host}: ${error.message}`, {
              cause: error,
            }),
      );
    });
    server.listen(port, host, () => server.close(() => resolveFree()));
  });
}

/** The last lines of the server's output, from its log file or from memory. */
class LogTail {
  private lines: string[] = [];
  private partial = '';
  /** Where this run's output starts in a log file that earlier runs appended to. */
  private readonly startOffset: number;
  constructor(private readonly file?: string) {
    this.startOffset = file && existsSync(file) ? statSync(file).size : 0;
  }

  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > 200) this.lines.splice(0, this.lines.length - 200);
  }

  async tail(count = 30): Promise<string> {
    let lines = [...this.lines, this.partial];
    if (this.file) {
      try {
        const handle = await open(this.file, 'r');
        try {
          const { size } = await handle.stat();
          const length = Math.min(size - this.startOffset, 16_384);
          const buffer = Buffer.alloc(length);
          await handle.read(buffer, 0, length, size - length);
          lines = buffer.toString('utf8').split('\n');
        } finally {
          await handle.close();
        }
      } catch {
        lines = [];
      }
    }
    return lines
      .map((line) => line.trimEnd())
      .filter(Boolean)
      .slice(-count)
      .join('\n');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** Whether something accepts TCP connections on host:port. */
function portAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolvePort) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolvePort(open);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}
