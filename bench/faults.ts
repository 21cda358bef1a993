/**
 * `npm run faults [-- --store postgres|s3] [--runs 20] [--seed 7] [--kill-every 8s]`:
 * the full fault suite (packages/cli/test/fault-suite.ts). Two workers on two
 * "hosts" share only Temporal and the blob store; 20 runs and a research job go
 * on while workers are killed at random, Temporal restarts once and the model
 * server misbehaves. Prints the figures and exits 1 if any that must be 0 is not.
 */
import { parseArgs } from 'node:util';
import { describeReport, runFaultSuite } from '../packages/cli/test/fault-suite.ts';

const { values } = parseArgs({
  options: {
    store: { type: 'string', default: 'postgres' },
    runs: { type: 'string', default: '20' },
    seed: { type: 'string', default: '7' },
    'kill-every': { type: 'string', default: '8s' },
  },
});
const store = values.store;
if (store !== 'postgres' && store !== 's3') {
  console.error(`--store is '${store}': use postgres or s3.`);
  process.exit(1);
}
const killEvery = /^(\d+)s$/.exec(values['kill-every'])?.[1];
if (!killEvery) {
  console.error(`--kill-every is '${values['kill-every']}': give seconds, such as 8s.`);
  process.exit(1);
}

const started = Date.now();
const report = await runFaultSuite({ store, runs: Number(values.runs), seed: Number(values.seed), killEveryMs: Number(killEvery) * 1000, log: (line) => console.error(line) });
console.log(`\n## Fault suite · ${store} · seed ${values.seed} · ${Math.round((Date.now() - started) / 1000)} s\n`);
console.log(describeReport(report));
const broken = report.completedCallsServedAgain + report.repeatedAfterCompletion + report.answersLost + (report.citations.total - report.citations.verified);
process.exit(broken === 0 ? 0 : 1);
