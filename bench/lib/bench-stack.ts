/**
 * What every benchmark stands on: one in-memory Temporal dev server (with eager
 * activity dispatch, as the embedded stack runs it), one mock model server, and
 * workers in child processes whose CPU is measured apart from the server's.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '@cairn/dev-server';
import { MockModelServer } from '@cairn/testing';

export interface BenchStack {
  server: DevServer;
  mock: MockModelServer;
  temporal: Client;
  close(): Promise<void>;
}

export async function startBenchStack(): Promise<BenchStack> {
  const server = await startDevServer({ uiPort: false });
  const mock = await MockModelServer.start({ keepRequests: 100 });
  // The naive loop's history pages grow past gRPC's 4 MB default before it dies: read them whole.
  const connection = await Connection.connect({ address: server.address, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  return {
    server,
    mock,
    temporal: new Client({ connection }),
    async close() {
      await connection.close();
      await mock.close();
      await server.stop();
    },
  };
}

export interface Usage {
  cpuMs: number;
  rssBytes: number;
  peakRssBytes: number;
}

export interface BenchWorker {
  usage(): Promise<Usage>;
  stop(): Promise<void>;
}

/** Starts a worker process serving `kind` on `taskQueue`, with the mock's address as the model's base URL. */
export async function startBenchWorker(kind: 'cairn' | 'minimal', stack: BenchStack, taskQueue: string, env: Record<string, string> = {}): Promise<BenchWorker> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./worker-process.ts', import.meta.url)), [kind, stack.server.address, taskQueue], {
    // BENCH_CPU_PROFILE=<dir> writes each worker's CPU profile there (open it in Chrome DevTools).
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROFILE] : [])],
    env: { ...process.env, OPENAI_API_KEY: 'bench-key', OPENAI_BASE_URL: stack.mock.openaiBaseUrl, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the ${kind} worker exited with ${code} before it was ready`)));
  });
  return {
    usage: () =>
      new Promise((resolve) => {
        child.once('message', (message) => resolve(message as Usage));
        child.send({ type: 'usage' });
      }),
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

/** CPU time a process has used so far (user + system), from /proc: how the Temporal server's share is measured. */
export function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticksPerSecond = 100;
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
export const ratio = (value: number, of: number) => `${((value / of) * 100).toFixed(0)}%`;
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
