/**
 * Benchmark 4: how long a person waits. `cairn run` to the model's first request
 * from nothing running (Temporal binary and workflow bundle cached), and with the
 * stack already up; and `cairn --help`. Medians of five, each a fresh process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getFreePort } from '@cairn/dev-server';
import { median, type BenchStack } from './lib/bench-stack.ts';

const cairnBin = fileURLToPath(new URL('../packages/cli/bin/cairn.js', import.meta.url));
const config = fileURLToPath(new URL('./agents.config.ts', import.meta.url));

/** The bench agent of a TypeScript config, or the built-in assistant with no config file (as `cairn research` runs). */
type Agent = 'config' | 'built-in';

/** Milliseconds from starting `cairn run` to the model server receiving its first request. */
async function untilFirstRequest(stack: BenchStack, env: NodeJS.ProcessEnv, agent: Agent = 'config'): Promise<number> {
  const before = stack.mock.requestCount;
  const start = performance.now();
  const args = agent === 'config' ? ['bench', 'Answer at once.', '--config', config] : ['assistant', 'Answer at once.'];
  const child = spawn(process.execPath, [cairnBin, 'run', ...args, '--detach'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  for (;;) {
    if (stack.mock.requestCount > before) {
      const elapsed = performance.now() - start;
      await exited;
      return elapsed;
    }
    if (child.exitCode !== null && child.exitCode !== 0) throw new Error(`cairn run failed:\n${stderr}`);
    if (performance.now() - start > 180_000) throw new Error(`no model request after 180 s:\n${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function timed(args: string[], env: NodeJS.ProcessEnv): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, [cairnBin, ...args], { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`cairn ${args.join(' ')} failed:\n${result.stderr}`);
  return performance.now() - start;
}

export async function startTimes(stack: BenchStack, { quick }: { quick: boolean }): Promise<void> {
  const repetitions = quick ? 2 : 5;
  const home = mkdtempSync(join(tmpdir(), 'cairn-bench-home-'));
  const port = await getFreePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CAIRN_HOME: home,
    CAIRN_TEMPORAL_PORT: String(port),
    CAIRN_TEMPORAL_UI_PORT: String(await getFreePort()),
    TEMPORAL_ADDRESS: undefined,
    OPENAI_API_KEY: 'bench-key',
    OPENAI_BASE_URL: stack.mock.openaiBaseUrl,
    NO_COLOR: '1',
  };
  stack.mock.reset();
  stack.mock.handle(() => ({ text: 'done' }));
  try {
    // Once untimed for each worker: builds the workflow bundles into this CAIRN_HOME, as any first use does.
    await untilFirstRequest(stack, env);
    await untilFirstRequest(stack, env, 'built-in');
    const cold: number[] = [];
    const coldBuiltIn: number[] = [];
    const warm: number[] = [];
    for (let index = 0; index < repetitions; index++) {
      timed(['down'], env);
      cold.push(await untilFirstRequest(stack, env));
      warm.push(await untilFirstRequest(stack, env));
      timed(['down'], env);
      coldBuiltIn.push(await untilFirstRequest(stack, env, 'built-in'));
    }
    const help = Array.from({ length: repetitions }, () => timed(['--help'], env));
    console.log(`\n## 4. Start-up (median of ${repetitions})\n`);
    console.log('| what | median | all |');
    console.log('| --- | --- | --- |');
    const row = (what: string, values: number[]) => console.log(`| ${what} | ${(median(values) / 1000).toFixed(2)} s | ${values.map((value) => (value / 1000).toFixed(2)).join(', ')} |`);
    row('`cairn run` to first model request, nothing running (a TypeScript config)', cold);
    row('`cairn run` to first model request, nothing running (built-in agents, no config file)', coldBuiltIn);
    row('`cairn run` to first model request, stack up', warm);
    row('`cairn --help`', help);
  } finally {
    spawnSync(process.execPath, [cairnBin, 'down'], { env });
    rmSync(home, { recursive: true, force: true });
  }
}
