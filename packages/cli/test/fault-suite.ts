/**
 * The fault suite: two `cairn worker` processes, each with a home of its own as
 * if on two hosts, sharing nothing but Temporal and a PostgreSQL or S3 blob
 * store. Plain runs, runs with a sub-agent and a research job over a corpus go
 * on while the workers are SIGKILLed at random and restarted, the Temporal
 * server is restarted once, and the model server answers with 429s, 500s,
 * 529s, hangs past the timeout, malformed tool arguments and cut-off answers.
 *
 * Run by `fault-suite.int.test.ts` (short, S3) and `bench/faults.ts` (full).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { getFreePort, startDevServer, type DevServer } from '@cairn/dev-server';
import { MockModelServer, startPostgres, startS3Server, toolResults, type MockRequest, type ScriptedReply } from '@cairn/testing';
import { CairnClient } from '@cairn/core';
import { encryptedAtRest, openBlobStore } from '@cairn/core/blob-stores';
import { cairnDataConverter, parseEncryptionKeys } from '@cairn/core/encryption';
import { CairnSearchAttributes } from '@cairn/core/temporal';
import { fetchDecodedHistory } from '../../core/src/client/decoded-history.ts';
import { researchScript, writeFixtureCorpus } from '../../../agents/deep-research/test/scripted-research.ts';
import type { ResearchResult } from '../../../agents/deep-research/workflow.ts';
import { startWorkerProcess, type WorkerProcess } from './cli-process.ts';

const config = fileURLToPath(new URL('./fixtures/faults.config.ts', import.meta.url));

export interface FaultSuiteOptions {
  store: 'postgres' | 's3';
  /** Agent runs besides the one research job. */
  runs: number;
  /** A random worker is killed about this often. */
  killEveryMs: number;
  seed?: number;
  /** The whole suite gives up after this long. */
  deadlineMs?: number;
  /**
   * Each answer takes about this long (0.5–1.5×), as a real model's does: kills then land
   * mid-call, and the runs last long enough for the chaos however fast the workers are.
   * Default 500 ms.
   */
  modelLatencyMs?: number;
  log?: (line: string) => void;
}

export interface FaultReport {
  runs: number;
  kills: number;
  workerRestarts: number;
  serverRestarts: number;
  faults: Record<string, number>;
  /** Completed model calls matched to the requests that served them: what the next figure checks. */
  modelCallsChecked: number;
  /** Successful model responses to a call after Temporal had recorded that call as completed. Must be 0. */
  completedCallsServedAgain: number;
  /** Payments made, by distinct idempotency key. */
  payments: number;
  /** Payments executed more than once for one idempotency key. */
  repeatedSideEffects: number;
  /** Of those, repeats of a call that had already completed: must be 0 (the rest were cut off by a kill). */
  repeatedAfterCompletion: number;
  /** Runs that did not end with the answer their script leads to. Must be 0. */
  answersLost: number;
  citations: { total: number; verified: number };
}

/** A small deterministic generator, so that a failing seed can be run again. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const faultKinds = ['rate_limit', 'server_error', 'overloaded', 'hang', 'malformed_arguments', 'cut_off'] as const;
type FaultKind = (typeof faultKinds)[number];

/** The clerk's and the manager's script, by what the conversation holds so far. */
function agentScript(request: MockRequest): ScriptedReply {
  const task = request.messages[0]?.content ?? '';
  const invoice = /invoice (INV-\d+)/.exec(task)?.[1] ?? 'INV-0';
  const results = toolResults(request);
  if (request.system.startsWith('You are the manager')) {
    if (results.length === 0) return { toolCalls: [{ name: 'delegate_to_fault_clerk', arguments: { task: `Pay invoice ${invoice} for the manager.` } }] };
    return { text: `The clerk says: ${results[0]!.content.split('\n')[0]}` };
  }
  // A tool error (malformed arguments the worker refused) is answered by asking again properly.
  const good = results.filter((result) => !result.isError);
  if (good.length === 0) return { toolCalls: [{ name: 'lookup_invoice', arguments: { invoice } }] };
  if (good.length === 1) return { toolCalls: [{ name: 'record_payment', arguments: { invoice, cents: 1200 } }] };
  return { text: `Paid ${invoice}.` };
}

export async function runFaultSuite(options: FaultSuiteOptions): Promise<FaultReport> {
  const log = options.log ?? (() => {});
  const next = random(options.seed ?? 7);
  const faults: Record<string, number> = Object.fromEntries(faultKinds.map((kind) => [kind, 0]));
  const cleanups: (() => Promise<unknown>)[] = [];
  const folder = mkdtempSync(join(tmpdir(), 'cairn-faults-'));
  const journal = join(folder, 'payments.log');
  writeFileSync(journal, '');

  try {
    // Temporal on a file, so that it can be restarted with its state.
    const port = await getFreePort();
    let server: DevServer = await startDevServer({ dbFile: join(folder, 'temporal.db'), port, uiPort: false });
    cleanups.push(() => server.stop());

    const store = options.store === 'postgres' ? await startPostgres() : await startS3Server();
    cleanups.push(() => store.stop());
    const storeEnv = 'url' in store ? { CAIRN_BLOB_STORE: store.url } : { CAIRN_BLOB_STORE: `s3://${store.bucket}/faults`, ...store.env };

    const mock = await MockModelServer.start();
    cleanups.push(() => mock.close());
    // Each conversation gets at most one fault, so every call gets through in the end.
    const faulted = new Set<string>();
    /** The rest of each answer cut off at the output cap, for the continuation Cairn asks for. */
    const rests = new Map<string, string>();
    const research = researchScript();
    const latency = () => Math.round((options.modelLatencyMs ?? 500) * (0.5 + next()));
    mock.handle((request) => {
      const reply = scriptedReply(request);
      return 'fault' in reply ? reply : { ...reply, latencyMs: latency() };
    });
    function scriptedReply(request: MockRequest): ScriptedReply {
      const run = `${request.system}\n${request.messages[0]?.content}`;
      const last = request.messages.at(-1);
      if (last?.role === 'user' && last.content.startsWith('Your answer was cut off') && rests.has(run)) return { text: rests.get(run)! };
      const isResearch = /^You (scope|plan|research|write)/.test(request.system);
      const reply = isResearch ? research(request) : agentScript(request);
      const key = `${run}\n${request.messages.length}`;
      if (faulted.has(key) || next() >= 0.3) return reply;
      faulted.add(key);
      const call = reply.toolCalls?.[0];
      // A reply-shaped fault only where it fits: research replies are checked word for word.
      const fits = (kind: FaultKind) =>
        kind === 'malformed_arguments' ? !isResearch && call?.name === 'lookup_invoice' : kind === 'cut_off' ? !isResearch && !reply.toolCalls && reply.text !== undefined : true;
      const candidates = faultKinds.filter(fits);
      const fault = candidates[Math.floor(next() * candidates.length)]!;
      faults[fault]!++;
      switch (fault) {
        case 'rate_limit':
          return { fault: { kind: 'rate_limit', retryAfterSeconds: 1 } };
        case 'server_error':
          return { fault: { kind: 'server_error' } };
        case 'overloaded':
          return { fault: { kind: 'overloaded' } };
        case 'hang':
          return { fault: { kind: 'hang' } };
        case 'malformed_arguments':
          // Broken JSON where the wire carries text (OpenAI); arguments that break the schema where it carries an object (Anthropic).
          return { toolCalls: [{ ...call!, arguments: request.format === 'openai' ? '{"invoice": "INV-' : { invoice: 42 } }] };
        case 'cut_off': {
          const cut = Math.ceil(reply.text!.length / 2);
          rests.set(run, reply.text!.slice(cut));
          return { text: reply.text!.slice(0, cut), stopReason: 'max_tokens' };
        }
      }
    }

    const encryption = { keys: parseEncryptionKeys(`faults:${randomBytes(32).toString('base64')}`, 'the fault suite'), acceptPlaintext: false };
    const taskQueue = 'faults';
    const env = (home: string): NodeJS.ProcessEnv => ({
      TEMPORAL_ADDRESS: server.address,
      CAIRN_HOME: home,
      CAIRN_TASK_QUEUE: taskQueue,
      CAIRN_MODEL: 'openai:gpt-test',
      OPENAI_API_KEY: 'fault-key',
      OPENAI_BASE_URL: mock.openaiBaseUrl,
      ANTHROPIC_API_KEY: 'fault-key',
      ANTHROPIC_BASE_URL: mock.anthropicBaseUrl,
      CAIRN_ENCRYPTION_KEYS: `faults:${encryption.keys[0]!.key.toString('base64')}`,
      FAULT_JOURNAL: journal,
      ...storeEnv,
    });
    // Two "hosts": a home each, so nothing but Temporal and the blob store is shared.
    const homes = [mkdtempSync(join(tmpdir(), 'cairn-host-a-')), mkdtempSync(join(tmpdir(), 'cairn-host-b-'))];
    const workers: (WorkerProcess | undefined)[] = await Promise.all(homes.map((home) => startWorkerProcess(['--config', config], env(home))));
    cleanups.push(() => Promise.all(workers.map((worker) => worker?.stop())));
    log(`Two workers up, sharing ${storeEnv.CAIRN_BLOB_STORE.replace(/:[^:@/]+@/, ':…@')}.`);

    let connection = await Connection.connect({ address: server.address });
    const dataConverter = cairnDataConverter(encryption)!;
    const temporal = () => new Client({ connection, dataConverter });
    const client = () => new CairnClient(temporal(), { taskQueue, blobs: encryptedAtRest(openBlobStore(storeEnv.CAIRN_BLOB_STORE), encryption) });
    cleanups.push(() => connection.close());

    const runOptions = { heartbeatTimeoutMs: 2_000, modelCallTimeoutMs: 4_000 };
    const started: { runId: string; expected: string }[] = [];
    for (let index = 0; index < options.runs; index++) {
      const invoice = `INV-${100 + index}`;
      const manager = index % 3 === 2;
      const { runId } = await client().start(manager ? 'fault-manager' : 'fault-clerk', `Pay invoice ${invoice}.`, runOptions);
      started.push({ runId, expected: manager ? `The clerk says: Paid INV-${100 + index}.` : `Paid ${invoice}.` });
    }
    const jobId = `faults-research-${Date.now().toString(36)}`;
    await temporal().workflow.start('deepResearchWorkflow', {
      workflowId: jobId,
      taskQueue,
      args: [{ question: 'How do tides work?', clarify: false, corpus: writeFixtureCorpus(), options: runOptions }],
      typedSearchAttributes: [{ key: CairnSearchAttributes.agent, value: 'deep-research' }],
    });
    log(`Started ${started.length} runs and a research job.`);

    // Chaos until every run has ended: kill a worker now and then, restart it, and restart Temporal once.
    let kills = 0;
    let workerRestarts = 0;
    let serverRestarts = 0;
    const deadline = Date.now() + (options.deadlineMs ?? 15 * 60_000);
    const ended = async () => {
      const open = await temporal().workflow.count(`ExecutionStatus = 'Running'`).catch(() => ({ count: 1 }));
      return open.count === 0;
    };
    for (let round = 0; !(await ended()); round++) {
      if (Date.now() > deadline) throw new Error(`The fault suite did not finish within ${(options.deadlineMs ?? 15 * 60_000) / 1000} s.`);
      await new Promise((resolve) => setTimeout(resolve, options.killEveryMs * (0.5 + next())));
      const victim = Math.floor(next() * workers.length);
      await workers[victim]?.kill();
      workers[victim] = undefined;
      kills++;
      if (round === 1) {
        log('Restarting the Temporal server …');
        await server.stop();
        server = await startDevServer({ dbFile: join(folder, 'temporal.db'), port, uiPort: false });
        await connection.close();
        connection = await Connection.connect({ address: server.address });
        serverRestarts++;
      }
      workers[victim] = await startWorkerProcess(['--config', config], env(homes[victim]!));
      workerRestarts++;
      log(`Round ${round + 1}: killed and restarted worker ${victim === 0 ? 'A' : 'B'} (${kills} kills).`);
    }

    // What each run ended with.
    let answersLost = 0;
    for (const { runId, expected } of started) {
      const result: { status: string; output: string } = await client().result(runId).catch((error: Error) => ({ status: 'failed', output: error.message }));
      if (result.status !== 'completed' || result.output !== expected) {
        answersLost++;
        log(`Run ${runId}: ${result.status}, '${result.output}' (expected '${expected}').`);
      }
    }
    const report = (await temporal().workflow.getHandle(jobId).result()) as ResearchResult;
    if (report.status !== 'completed') answersLost++;

    // Every model call Temporal recorded as completed, and whether the model was asked it again afterwards.
    const served = await servedAfterCompletion(temporal(), mock.requests);
    const { payments, repeated, repeatedAfterCompletion } = await repeatedPayments(temporal(), journal);
    return {
      runs: started.length + 1,
      kills,
      workerRestarts,
      serverRestarts,
      faults,
      modelCallsChecked: served.checked,
      completedCallsServedAgain: served.servedAgain,
      payments,
      repeatedSideEffects: repeated,
      repeatedAfterCompletion,
      answersLost,
      citations: report.citations,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/**
 * Requests answered successfully after the call they belong to was recorded as
 * completed. A run is known to the model server by its first message (its
 * input); its k-th completed `callModel` answered its k-th distinct
 * conversation, since a conversation only grows from one call to the next.
 */
async function servedAfterCompletion(temporal: Client, requests: readonly MockRequest[]): Promise<{ checked: number; servedAgain: number }> {
  const decoder = new TextDecoder();
  let servedAgain = 0;
  let checked = 0;
  for await (const execution of temporal.workflow.list({ query: "WorkflowType = 'agentWorkflow'" })) {
    const history = await fetchDecodedHistory(temporal, execution.workflowId, execution.runId);
    const events = history.events ?? [];
    const startInput = events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0]?.data;
    const input = startInput ? (JSON.parse(decoder.decode(startInput)) as { input: string }).input : undefined;
    const models = new Set<string>();
    const completedAt: number[] = [];
    for (const event of events) {
      if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel') models.add(String(event.eventId));
      const done = event.activityTaskCompletedEventAttributes;
      if (done && models.has(String(done.scheduledEventId))) completedAt.push(Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6));
    }
    const own = requests.filter((request) => request.messages[0]?.content === input);
    const lengths = [...new Set(own.map((request) => request.messages.length))].sort((a, b) => a - b);
    lengths.forEach((length, turn) => {
      const recorded = completedAt[turn];
      if (recorded === undefined) return;
      checked++;
      servedAgain += own.filter((request) => request.messages.length === length && request.status === 200 && request.receivedAt > recorded).length;
    });
  }
  return { checked, servedAgain };
}

/**
 * Payments made more than once for a key, and those made again after Temporal
 * had recorded their call as completed. A repeat before that is a call cut off
 * by a kill (or by a Temporal restart that lost the attempt), retried as it must be.
 */
async function repeatedPayments(temporal: Client, journal: string): Promise<{ payments: number; repeated: number; repeatedAfterCompletion: number }> {
  const executions = new Map<string, number[]>();
  for (const line of readFileSync(journal, 'utf8').split('\n').filter(Boolean)) {
    const [time, key] = line.split(' ') as [string, string];
    executions.set(key, [...(executions.get(key) ?? []), Number(time)]);
  }
  let repeated = 0;
  let repeatedAfterCompletion = 0;
  const decoder = new TextDecoder();
  for (const [key, times] of executions) {
    if (times.length < 2) continue;
    repeated++;
    const [runId, toolCallId] = [key.slice(0, key.lastIndexOf('/')), key.slice(key.lastIndexOf('/') + 1)];
    const history = await fetchDecodedHistory(temporal, runId);
    let scheduled: string | undefined;
    let completedAt = Infinity;
    for (const event of history.events ?? []) {
      const input = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0]?.data;
      if (input && decoder.decode(input).includes(`"toolCallId":"${toolCallId}"`)) scheduled = String(event.eventId);
      if (scheduled !== undefined && String(event.activityTaskCompletedEventAttributes?.scheduledEventId) === scheduled) {
        completedAt = Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);
      }
    }
    if (times.some((time) => time > completedAt)) repeatedAfterCompletion++;
  }
  return { payments: executions.size, repeated, repeatedAfterCompletion };
}

/** One line per figure, as the issue asks them printed. */
export function describeReport(report: FaultReport): string {
  const faults = Object.entries(report.faults).map(([kind, count]) => `${kind} ${count}`).join(', ');
  return [
    `runs ${report.runs} · kills ${report.kills} · worker restarts ${report.workerRestarts} · Temporal restarts ${report.serverRestarts}`,
    `faults injected: ${faults}`,
    `completed model calls served again: ${report.completedCallsServedAgain} (of ${report.modelCallsChecked} checked)`,
    `side effects repeated for one idempotency key: ${report.repeatedSideEffects} of ${report.payments} (after their call had completed: ${report.repeatedAfterCompletion})`,
    `answers lost: ${report.answersLost}`,
    `research citations verified: ${report.citations.verified} of ${report.citations.total}`,
  ].join('\n');
}
