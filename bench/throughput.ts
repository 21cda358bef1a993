/**
 * Benchmarks 1 and 3: Cairn's agent loop beside the minimal hand-written loop,
 * on the same server, model server and worker settings.
 *   1. CPU per turn, for the worker and for the server, with 1 KB and 8 KB tool results.
 *   3. Model steps per second with N concurrent runs (1 s model latency, 5 tool turns each).
 */
import { runBatch, type BatchFigures, type BatchOptions } from './lib/batch.ts';
import { mb, median, ratio, type BenchStack } from './lib/bench-stack.ts';

/** Both designs' figures, measured one after the other; `cairnFirst` swaps the order, so that a drift in the machine favours neither. */
async function sideBySide(stack: BenchStack, options: BatchOptions, cairnFirst = false): Promise<[BatchFigures, BatchFigures]> {
  if (cairnFirst) {
    const cairn = await runBatch('cairn', stack, options);
    return [await runBatch('minimal', stack, options), cairn];
  }
  const minimal = await runBatch('minimal', stack, options);
  return [minimal, await runBatch('cairn', stack, options)];
}

export async function perTurnCpu(stack: BenchStack, { quick }: { quick: boolean }): Promise<void> {
  const runs = quick ? 5 : 40;
  // One batch is 440 steps on a fresh worker process, after as many warming it up (steady state, as a
  // long-lived worker runs): its CPU still varies by ±15% from batch to batch here. Rounds alternate which
  // design goes first: the first batches after the server starts cost more.
  const rounds = quick ? 1 : 7;
  console.log(`\n## 1. CPU per turn (${runs} runs at once, 10 tool turns each, no model latency; medians of ${rounds} rounds)\n`);
  console.log('| tool result | design | worker CPU/turn | server CPU/turn | events/turn | history/turn |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const resultBytes of [1024, 8192]) {
    const measured: [BatchFigures, BatchFigures][] = [];
    for (let round = 0; round < rounds; round += 1) measured.push(await sideBySide(stack, { runs, toolTurns: 10, latencyMs: 0, resultBytes, warmUpRuns: runs }, round % 2 === 1));
    const [minimal, cairn] = ([0, 1] as const).map((design) => medianFigures(measured.map((pair) => pair[design])));
    for (const figures of [minimal!, cairn!]) {
      console.log(
        `| ${resultBytes / 1024} KB | ${figures.design} | ${figures.workerCpuMsPerStep.toFixed(2)} ms | ${figures.serverCpuMsPerStep.toFixed(2)} ms | ${figures.eventsPerStep.toFixed(1)} | ${(figures.historyBytesPerStep / 1024).toFixed(1)} KB |`,
      );
    }
    // Each round measures both designs back to back, under the same load: the ratio is taken per round.
    const workerRatios = measured.map(([m, c]) => c.workerCpuMsPerStep / m.workerCpuMsPerStep);
    const serverRatios = measured.map(([m, c]) => c.serverCpuMsPerStep / m.serverCpuMsPerStep);
    const rounded = workerRatios.map((value) => value.toFixed(2)).join(', ');
    console.log(`| ${resultBytes / 1024} KB | **cairn ÷ minimal** (median of the rounds' ratios) | **${median(workerRatios).toFixed(2)}×**${rounds > 1 ? ` (${rounded})` : ''} | ${median(serverRatios).toFixed(2)}× | | |`);
  }
}

/** Each figure's median over the rounds. */
function medianFigures(rounds: BatchFigures[]): BatchFigures {
  const of = (pick: (figures: BatchFigures) => number) => median(rounds.map(pick));
  return {
    ...rounds[0]!,
    workerCpuMsPerStep: of((figures) => figures.workerCpuMsPerStep),
    serverCpuMsPerStep: of((figures) => figures.serverCpuMsPerStep),
    eventsPerStep: of((figures) => figures.eventsPerStep),
    historyBytesPerStep: of((figures) => figures.historyBytesPerStep),
  };
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
