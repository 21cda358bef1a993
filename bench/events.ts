/** `node --import tsx bench/events.ts`: the events of one 5-turn run of each design, by type — where a turn's history goes. */
import proto from '@temporalio/proto';
import { CairnClient } from '@cairn/core';
import { toolResults } from '@cairn/testing';
import { minimalAgentWorkflow } from './minimal/workflows.ts';
import { startBenchStack, startBenchWorker } from './lib/bench-stack.ts';

const stack = await startBenchStack();
try {
  stack.mock.handle((request) => (toolResults(request).length < 5 ? { toolCalls: [{ name: 'lookup', arguments: { topic: 't' } }] } : { text: 'done' }));
  for (const design of ['minimal', 'cairn'] as const) {
    const taskQueue = `bench-events-${design}`;
    const worker = await startBenchWorker(design, stack, taskQueue);
    const workflowId = `${taskQueue}-run`;
    if (design === 'cairn') await new CairnClient(stack.temporal, { taskQueue }).start('bench', 'Look up 5 topics.', { runId: workflowId });
    else await stack.temporal.workflow.start(minimalAgentWorkflow, { taskQueue, workflowId, args: [{ prompt: 'Look up 5 topics.', maxTurns: 6 }] });
    await stack.temporal.workflow.getHandle(workflowId).result();
    const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
    const counts = new Map<string, number>();
    for (const event of history.events ?? []) {
      const type = proto.temporal.api.enums.v1.EventType[event.eventType!]!.replace('EVENT_TYPE_', '');
      const detail = event.markerRecordedEventAttributes?.markerName ?? event.activityTaskScheduledEventAttributes?.activityType?.name ?? '';
      const key = detail ? `${type} (${detail})` : type;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    console.log(`\n${design}: ${history.events?.length} events`);
    for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`  ${String(count).padStart(3)}  ${key}`);
    await worker.stop();
  }
} finally {
  await stack.close();
}
