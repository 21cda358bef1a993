/**
 * Benchmark 2: history per turn over a long run with 8 KB tool results. Cairn
 * keeps the conversation out of history; the minimal loop passes it whole to
 * every model activity and is expected to die at one of Temporal's limits.
 */
import proto from '@temporalio/proto';
import { CairnClient } from '@cairn/core';
import { toolResults } from '@cairn/testing';
import { minimalAgentWorkflow } from './minimal/workflows.ts';
import { startBenchWorker, type BenchStack } from './lib/bench-stack.ts';

type History = proto.temporal.api.history.v1.IHistory;
const resultBytes = 8192;

/** Bytes and events each turn added; a turn begins where its model activity is scheduled. */
function perTurn(histories: History[], modelActivity: string): { bytes: number; events: number }[] {
  const turns: { bytes: number; events: number }[] = [];
  for (const history of histories) {
    for (const event of history.events ?? []) {
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === modelActivity) turns.push({ bytes: 0, events: 0 });
      const turn = turns.at(-1);
      if (!turn) continue;
      turn.bytes += proto.temporal.api.history.v1.HistoryEvent.encode(event).finish().length;
      turn.events += 1;
    }
  }
  return turns;
}

const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

async function allHistories(stack: BenchStack, workflowId: string): Promise<History[]> {
  const executions = [];
  for await (const execution of stack.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) executions.push(execution);
  executions.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  return Promise.all(executions.map((execution) => stack.temporal.workflow.getHandle(workflowId, execution.runId).fetchHistory()));
}

/** Waits for the run to close, or to stop making progress (a workflow task failing again and again): then it is terminated. */
async function outcome(stack: BenchStack, workflowId: string): Promise<string> {
  const handle = stack.temporal.workflow.getHandle(workflowId);
  let length = 0;
  let unchangedSince = Date.now();
  for (;;) {
    const description = await handle.describe();
    if (description.status.name !== 'RUNNING') {
      if (description.status.name === 'COMPLETED') return 'completed';
      const history = await handle.fetchHistory();
      const failure = history.events?.at(-1)?.workflowExecutionFailedEventAttributes?.failure?.message ?? history.events?.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason;
      return `${description.status.name.toLowerCase()}${failure ? `: ${failure}` : ''}`;
    }
    if (description.historyLength !== length) {
      length = description.historyLength;
      unchangedSince = Date.now();
    } else if (Date.now() - unchangedSince > 30_000) {
      const history = await handle.fetchHistory();
      const failed = [...(history.events ?? [])].reverse().find((event) => event.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
      await handle.terminate('benchmark: no progress for 30 s');
      return `stuck${failed ? `: workflow task failing (${failed.failure?.message ?? failed.cause})` : ''}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export async function historyGrowth(stack: BenchStack, { quick }: { quick: boolean }): Promise<void> {
  const turns = quick ? 100 : 1000;
  const window = quick ? 10 : 100;
  console.log(`\n## 2. History per turn over a ${turns}-turn run with 8 KB tool results\n`);
  console.log(`| design | outcome | turns | first ${window}: bytes/turn | last ${window}: bytes/turn | events/turn | largest history |`);
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const design of ['cairn', 'minimal'] as const) {
    const taskQueue = `bench-history-${design}-${process.pid}`;
    stack.mock.reset();
    stack.mock.handle((request) => {
      const done = toolResults(request).length;
      return done < turns ? { toolCalls: [{ name: 'lookup', arguments: { topic: `topic ${done}` } }] } : { text: 'done' };
    });
    const worker = await startBenchWorker(design, stack, taskQueue, { BENCH_RESULT_BYTES: String(resultBytes) });
    const workflowId = `${taskQueue}-run`;
    try {
      if (design === 'cairn') await new CairnClient(stack.temporal, { taskQueue }).start('bench', `Look up ${turns} topics.`, { runId: workflowId, budget: { tokens: 1e12 } });
      else await stack.temporal.workflow.start(minimalAgentWorkflow, { taskQueue, workflowId, args: [{ prompt: `Look up ${turns} topics.`, maxTurns: turns + 1 }] });
      const ended = await outcome(stack, workflowId);
      const histories = await allHistories(stack, workflowId);
      const measured = perTurn(histories, design === 'cairn' ? 'callModel' : 'modelStep').slice(0, turns);
      const largest = Math.max(...histories.map((history) => (history.events ?? []).reduce((sum, event) => sum + proto.temporal.api.history.v1.HistoryEvent.encode(event).finish().length, 0)));
      console.log(
        `| ${design} | ${ended.slice(0, 160)} | ${measured.length} | ${average(measured.slice(0, window).map((turn) => turn.bytes)).toFixed(0)} | ${average(measured.slice(-window).map((turn) => turn.bytes)).toFixed(0)} | ${average(measured.map((turn) => turn.events)).toFixed(1)} | ${(largest / 1024 / 1024).toFixed(1)} MB in ${histories.length} histor${histories.length === 1 ? 'y' : 'ies'} |`,
      );
    } finally {
      await worker.stop();
    }
  }
}
