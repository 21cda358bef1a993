/**
 * Benchmark 5: what a worker pays to rebuild a run it does not hold in its cache
 * (after a restart, or when its sticky cache is full): replaying the longest
 * history segment a run can have (`turnsPerHistory`, 500 turns by default).
 */
import { CairnClient } from '@cairn/core';
import { workflowBundle } from '@cairn/core/worker';
import { toolResults } from '@cairn/testing';
import { Worker } from '@temporalio/worker';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startBenchWorker, type BenchStack } from './lib/bench-stack.ts';

export async function replayTime(stack: BenchStack, { quick }: { quick: boolean }): Promise<void> {
  const turns = quick ? 50 : 499;
  const taskQueue = `bench-replay-${process.pid}`;
  stack.mock.reset();
  stack.mock.handle((request) => (toolResults(request).length < turns ? { toolCalls: [{ name: 'lookup', arguments: { topic: 'x' } }] } : { text: 'done' }));
  const worker = await startBenchWorker('cairn', stack, taskQueue, { BENCH_RESULT_BYTES: '1024' });
  let history;
  try {
    const { runId } = await new CairnClient(stack.temporal, { taskQueue }).start('bench', `Look up ${turns} topics.`, { budget: { tokens: 1e12 } });
    await stack.temporal.workflow.getHandle(runId).result();
    history = await stack.temporal.workflow.getHandle(runId).fetchHistory();
  } finally {
    await worker.stop();
  }
  const bundle = await workflowBundle(join(tmpdir(), 'cairn-bench-bundles'));
  // As a worker runs it: the run-event sink registered, and never called while replaying.
  const options = { workflowBundle: bundle, sinks: { cairn: { runEvent: { fn: () => {}, callDuringReplay: false } } } };
  await Worker.runReplayHistory(options, history); // warm the replayer
  const times: number[] = [];
  for (let index = 0; index < (quick ? 2 : 5); index++) {
    const start = performance.now();
    await Worker.runReplayHistory(options, history);
    times.push(performance.now() - start);
  }
  const best = Math.min(...times);
  const events = history.events!.length;
  console.log(`\n## 5. Replay of one history segment (${turns + 1} turns, ${events} events)\n`);
  console.log('| replay (best of runs) | per event | per turn |');
  console.log('| --- | --- | --- |');
  console.log(`| ${(best / 1000).toFixed(2)} s | ${((best * 1000) / events).toFixed(0)} µs | ${(best / (turns + 1)).toFixed(2)} ms |`);
}
