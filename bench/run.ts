/**
 * `npm run bench [-- <name>…] [--quick]`: runs the benchmarks and prints their
 * figures as Markdown tables. Names: per-turn, history, concurrency, start, replay, stats
 * (default: all). `--quick` runs each small, to check that they work.
 */
import { execSync } from 'node:child_process';
import { cpus } from 'node:os';
import { startBenchStack } from './lib/bench-stack.ts';
import { concurrency, perTurnCpu } from './throughput.ts';
import { historyGrowth } from './history.ts';
import { startTimes } from './start.ts';
import { replayTime } from './replay.ts';
import { statsTimes } from './stats.ts';

const benchmarks = { 'per-turn': perTurnCpu, history: historyGrowth, concurrency, start: startTimes, replay: replayTime, stats: statsTimes } as const;
type Name = keyof typeof benchmarks;

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const names = args.filter((arg) => !arg.startsWith('--'));
const unknown = names.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(', ')}: choose from ${Object.keys(benchmarks).join(', ')}.`);
  process.exit(1);
}
const selected = (names.length > 0 ? names : Object.keys(benchmarks)) as Name[];

const commit = (() => {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
console.log(`# Cairn benchmarks · ${new Date().toISOString().slice(0, 10)} · commit ${commit} · ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'} · Node ${process.version}${quick ? ' · quick' : ''}`);

const stack = await startBenchStack();
try {
  for (const name of selected) await benchmarks[name](stack, { quick });
} finally {
  await stack.close();
}
