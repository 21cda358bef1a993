/**
 * One benchmark worker in a process of its own, so its CPU and memory are its
 * own: `cairn` serves bench/agents.config.ts as `cairn worker` would, `minimal`
 * serves the hand-written loop. The parent asks for its CPU and peak RSS over IPC.
 *
 *   node --import tsx bench/lib/worker-process.ts <cairn|minimal> <address> <taskQueue>
 */
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { resolveModel } from '@cairn/core/internals';
import { createCairnWorker } from '@cairn/core/worker';
import config from '../agents.config.ts';
import * as minimalActivities from '../minimal/activities.ts';

const [kind, address, taskQueue] = process.argv.slice(2) as ['cairn' | 'minimal', string, string];
Runtime.install({ logger: new DefaultLogger('ERROR') });
const connection = await NativeConnection.connect({ address });
const slots = Number(process.env.BENCH_ACTIVITY_SLOTS ?? 100);

const worker =
  kind === 'cairn'
    ? await createCairnWorker({ config, connection, taskQueue, maxConcurrentActivities: slots, resolveModel: (model) => resolveModel(model, process.env) })
    : await Worker.create({
        connection,
        taskQueue,
        workflowsPath: fileURLToPath(new URL('../minimal/workflows.ts', import.meta.url)),
        activities: minimalActivities,
        maxConcurrentActivityTaskExecutions: slots,
      });

process.on('message', (message: { type: string }) => {
  if (message.type === 'usage') {
    const cpu = process.cpuUsage();
    process.send!({ type: 'usage', cpuMs: (cpu.user + cpu.system) / 1000, rssBytes: process.memoryUsage().rss, peakRssBytes: process.resourceUsage().maxRSS * 1024 });
  }
  if (message.type === 'stop') worker.shutdown();
});
const running = worker.run();
process.send!({ type: 'ready' });
await running;
await connection.close();
process.exit(0);
