/**
 * Benchmark 6: `cairn stats` over 1,000 recorded runs (3 model calls and 2 tool calls
 * each), as a person runs it: a fresh process with an empty cache, then again with the
 * cache it left. Medians of three; and the same read in-process, without the start-up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectDigests, runStats } from '@cairn/core/analytics';
import { runBatch } from './lib/batch.ts';
import { median, type BenchStack } from './lib/bench-stack.ts';

const cairnBin = fileURLToPath(new URL('../packages/cli/bin/cairn.js', import.meta.url));

function timedStats(env: NodeJS.ProcessEnv): { ms: number; runs: number; fetched: number } {
  const start = performance.now();
  const result = spawnSync(process.execPath, [cairnBin, 'stats', '--json'], { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`cairn stats failed:\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as { runs: number; histories: { fetched: number } };
  return { ms: performance.now() - start, runs: report.runs, fetched: report.histories.fetched };
}

export async function statsTimes(stack: BenchStack, { quick }: { quick: boolean }): Promise<void> {
  const runs = quick ? 100 : 1_000;
  const repetitions = quick ? 1 : 3;
  console.log(`\n## 6. cairn stats over ${runs.toLocaleString('en-US')} recorded runs\n`);
  const recorded = await runBatch('cairn', stack, { runs, toolTurns: 2, latencyMs: 0, resultBytes: 1024 });
  console.log(`Recorded ${runs} runs in ${(recorded.wallMs / 1000).toFixed(1)} s.\n`);

  const cold: number[] = [];
  const cached: number[] = [];
  let counted = 0;
  for (let repetition = 0; repetition < repetitions; repetition += 1) {
    const env: NodeJS.ProcessEnv = { ...process.env, CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-bench-stats-')), TEMPORAL_ADDRESS: stack.server.address, NO_COLOR: '1' };
    const first = timedStats(env);
    const second = timedStats(env);
    if (second.fetched !== 0) throw new Error(`the second cairn stats fetched ${second.fetched} histories: the cache did not hold`);
    cold.push(first.ms);
    cached.push(second.ms);
    counted = first.runs;
  }

  const cacheFile = join(mkdtempSync(join(tmpdir(), 'cairn-bench-stats-')), 'cache.json');
  const inProcess = async () => {
    const start = performance.now();
    const { digests } = await collectDigests(stack.temporal, { cacheFile });
    runStats(digests);
    return performance.now() - start;
  };
  const coldInProcess = await inProcess();
  const cachedInProcess = await inProcess();

  console.log(`| ${counted.toLocaleString('en-US')} runs in the namespace | cold (empty cache) | cached |`);
  console.log('| --- | --- | --- |');
  console.log(`| \`cairn stats\`, a fresh process (median of ${repetitions}) | ${(median(cold) / 1000).toFixed(2)} s | ${(median(cached) / 1000).toFixed(2)} s |`);
  console.log(`| in-process (\`collectDigests\` + \`runStats\`) | ${(coldInProcess / 1000).toFixed(2)} s | ${(cachedInProcess / 1000).toFixed(2)} s |`);
}
