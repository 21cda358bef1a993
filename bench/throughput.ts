/**
 * Benchmarks 1 and 3: Cairn's agent loop beside the minimal hand-written loop,
 * on the same server, model server and worker settings.
 *   1. CPU per turn, for the worker and for the server, with 1 KB and 8 KB tool results.
 *   3. Model steps per second with N concurrent runs (1 s model latency, 5 tool turns each).
 */
import { runBatch, type BatchFigures, type BatchOptions } from './lib/batch.ts';
import { mb, ratio, type BenchStack } from './lib/bench-stack.ts';

async function sideBySide(stack: BenchStack, options: BatchOptions): Promise<[BatchFigures, BatchFigures]> {
  const minimal = await runBatch('minimal', stack, options);
  const cairn = await runBatch('cairn', stack, options);
  return [minimal, cairn];
}

export async function perTurnCpu(stack: BenchStack, { quick }: { quick: boolean }): Promise<void> {
  const runs = quick ? 5 : 20;
  console.log(`\n## 1. CPU per turn (${runs} runs at once, 10 tool turns each, no model latency)\n`);
  console.log('| tool result | design | worker CPU/turn | server CPU/turn | events/turn | history/turn |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const resultBytes of [1024, 8192]) {
    const [minimal, cairn] = await sideBySide(stack, { runs, toolTurns: 10, latencyMs: 0, resultBytes });
    for (const figures of [minimal, cairn]) {
      console.log(
        `| ${resultBytes / 1024} KB | ${figures.design} | ${figures.workerCpuMsPerStep.toFixed(2)} ms | ${figures.serverCpuMsPerStep.toFixed(2)} ms | ${figures.eventsPerStep.toFixed(1)} | ${(figures.historyBytesPerStep / 1024).toFixed(1)} KB |`,
      );
    }
    console.log(`| ${resultBytes / 1024} KB | **cairn ÷ minimal** | **${(cairn.workerCpuMsPerStep / minimal.workerCpuMsPerStep).toFixed(2)}×** | ${(cairn.serverCpuMsPerStep / minimal.serverCpuMsPerStep).toFixed(2)}× | | |`);
  }
}

export async function concurrency(stack: BenchStack, { quick }: { quick: boolean }): Promise<void> {
  console.log('\n## 3. Concurrent runs on one worker (1 s model latency, 5 tool turns each)\n');
  console.log('| runs | design | model steps/s | share of minimal | wall | worker CPU/step | server CPU/step | worker peak RSS |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const runs of quick ? [50] : [100, 500]) {
    const [minimal, cairn] = await sideBySide(stack, { runs, toolTurns: 5, latencyMs: 1000, resultBytes: 1024 });
    for (const figures of [minimal, cairn]) {
      console.log(
        `| ${runs} | ${figures.design} | ${figures.stepsPerSecond.toFixed(1)} | ${ratio(figures.stepsPerSecond, minimal.stepsPerSecond)} | ${(figures.wallMs / 1000).toFixed(1)} s | ${figures.workerCpuMsPerStep.toFixed(2)} ms | ${figures.serverCpuMsPerStep.toFixed(2)} ms | ${mb(figures.workerPeakRssBytes)} |`,
      );
    }
  }
}
