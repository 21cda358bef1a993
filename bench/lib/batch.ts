/** Runs a batch of agent runs on one design and measures it: wall time, model steps, worker and server CPU, peak RSS, events per turn. */
import proto from '@temporalio/proto';
import { CairnClient } from '@cairn/core';
import { toolResults } from '@cairn/testing';
import { minimalAgentWorkflow } from '../minimal/workflows.ts';
import { processCpuMs, startBenchWorker, type BenchStack } from './bench-stack.ts';

export interface BatchOptions {
  runs: number;
  /** Tool turns per run; each run makes one model call more than this. */
  toolTurns: number;
  latencyMs: number;
  resultBytes: number;
  /**
   * Runs done on the fresh worker before measuring: its first runs compile the workflow bundle's
   * and the activities' code, which a long-lived worker has long done. Default 0 (a cold worker).
   */
  warmUpRuns?: number;
}

export interface BatchFigures {
  design: 'cairn' | 'minimal';
  wallMs: number;
  modelSteps: number;
  stepsPerSecond: number;
  workerCpuMsPerStep: number;
  serverCpuMsPerStep: number;
  workerPeakRssBytes: number;
  eventsPerStep: number;
  historyBytesPerStep: number;
}

let batches = 0;

export async function runBatch(design: 'cairn' | 'minimal', stack: BenchStack, options: BatchOptions): Promise<BatchFigures> {
  const taskQueue = `bench-${design}-${process.pid}-${batches++}`;
  stack.mock.reset();
  stack.mock.handle((request) => {
    const done = toolResults(request).length;
    return done < options.toolTurns ? { latencyMs: options.latencyMs, toolCalls: [{ name: 'lookup', arguments: { topic: `topic ${done}` } }] } : { latencyMs: options.latencyMs, text: 'done' };
  });
  const worker = await startBenchWorker(design, stack, taskQueue, { BENCH_RESULT_BYTES: String(options.resultBytes) });
  try {
    const client = new CairnClient(stack.temporal, { taskQueue });
    /** Starts `count` runs and waits for them all. */
    const runAll = async (count: number, prefix: string): Promise<string[]> => {
      const ids = await Promise.all(
        Array.from({ length: count }, async (_, index) => {
          const runId = `${prefix}-${index}`;
          if (design === 'cairn') await client.start('bench', `Look up ${options.toolTurns} topics.`, { runId, budget: { tokens: 1e12 } });
          else await stack.temporal.workflow.start(minimalAgentWorkflow, { taskQueue, workflowId: runId, args: [{ prompt: `Look up ${options.toolTurns} topics.`, maxTurns: options.toolTurns + 1 }] });
          return runId;
        }),
      );
      await Promise.all(ids.map((runId) => stack.temporal.workflow.getHandle(runId).result()));
      return ids;
    };
    if (options.warmUpRuns) await runAll(options.warmUpRuns, `${taskQueue}-warm-up`);
    const before = { worker: await worker.usage(), serverCpuMs: processCpuMs(stack.server.pid), at: performance.now() };
    const ids = await runAll(options.runs, taskQueue);
    const wallMs = performance.now() - before.at;
    const after = { worker: await worker.usage(), serverCpuMs: processCpuMs(stack.server.pid) };
    const modelSteps = options.runs * (options.toolTurns + 1);
    const history = await stack.temporal.workflow.getHandle(ids[0]!).fetchHistory();
    const historyBytes = history.events!.reduce((sum, event) => sum + proto.temporal.api.history.v1.HistoryEvent.encode(event).finish().length, 0);
    return {
      design,
      wallMs,
      modelSteps,
      stepsPerSecond: modelSteps / (wallMs / 1000),
      workerCpuMsPerStep: (after.worker.cpuMs - before.worker.cpuMs) / modelSteps,
      serverCpuMsPerStep: (after.serverCpuMs - before.serverCpuMs) / modelSteps,
      workerPeakRssBytes: after.worker.peakRssBytes,
      eventsPerStep: history.events!.length / (options.toolTurns + 1),
      historyBytesPerStep: historyBytes / (options.toolTurns + 1),
    };
  } finally {
    await worker.stop();
  }
}
