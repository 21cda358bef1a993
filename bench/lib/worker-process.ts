/**
 * One benchmark worker in a process of its own, so its CPU and memory are its
 * own: `cairn` serves bench/agents.config.ts as `cairn worker` would, `minimal`
 * serves the hand-written loop. The parent asks for its CPU and peak RSS over IPC.
 *
 *   node --import tsx bench/lib/worker-process.ts <cairn|minimal> <address> <taskQueue>
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** CPU ms by thread name ('main' for the main thread), from /proc (empty elsewhere). */
function threadCpuMs(): Record<string, number> {
  const byName: Record<string, number> = {};
  try {
    for (const task of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${task}/stat`, 'utf8');
      const name = Number(task) === process.pid ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
      byName[name] = (byName[name] ?? 0) + ((utime! + stime!) * 1000) / 100;
    }
  } catch {
    // not Linux
  }
  return byName;
}

process.on('message', (message: { type: string }) => {
  if (message.type === 'usage') {
    // Profiles cover the whole process: each reading's time (the profiler's clock, µs) marks where a batch begins and
    // ends, and the CPU of every thread so far says where the rest went (the pool's file work, the SDK's Rust threads).
    const readings = process.env.BENCH_CPU_PROFILE ?? process.env.BENCH_THREAD_CPU;
    if (readings) appendFileSync(join(readings, `readings-${process.pid}.txt`), `${kind} ${process.hrtime.bigint() / 1000n} ${JSON.stringify(threadCpuMs())}\n`);
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
