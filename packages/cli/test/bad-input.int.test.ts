/**
 * Bad input, through the CLI and the API: each case gets one line naming the
 * problem, a hint, a non-zero exit (or a rejected promise), and changes nothing
 * else. A canary run going on at the same time completes unchanged.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, toolResults, eventually, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { askHuman, CairnClient, defineAgent, defineTool } from '@cairn/core';
import { getFreePort } from '@cairn/dev-server';
import { runCli } from './cli-process.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.config.ts`, import.meta.url));
const cjsConfig = fileURLToPath(new URL('./fixtures/cjs-project/cairn.config.ts', import.meta.url));
const add = defineTool({ name: 'add', description: 'Adds.', input: z.object({ a: z.number(), b: z.number() }), execute: ({ a, b }) => a + b });
const asker = defineAgent({ name: 'asker', model: 'openai:gpt-test', instructions: 'Ask first.', tools: [askHuman(), add] });
const canary = defineAgent({ name: 'canary', model: 'openai:gpt-test', instructions: 'You are the canary.', tools: [add], maxTurns: 30 });

/** The canary adds numbers for 12 turns; the asker asks, then answers; misbehaving replies are scripted per task. */
function model(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  const task = request.messages[0]?.content ?? '';
  if (request.system === 'You are the canary.') {
    return results.length < 12 ? { toolCalls: [{ name: 'add', arguments: { a: results.length, b: 1 } }], latencyMs: 3_000 } : { text: `Canary sang ${results.length} times.` };
  }
  if (task === 'truncated') return request.messages.length === 1 ? { text: 'Half an ans', stopReason: 'max_tokens' } : { text: 'wer, cut again', stopReason: 'max_tokens' };
  if (results.length === 0) {
    if (task === 'malformed json') return { toolCalls: [{ name: 'add', arguments: '{"a": 1, "b": ' }] };
    if (task === 'unknown tool') return { toolCalls: [{ name: 'subtract', arguments: { a: 1, b: 2 } }] };
    if (task === 'repeated ids') return { toolCalls: [{ id: 'same', name: 'add', arguments: { a: 1, b: 1 } }, { id: 'same', name: 'add', arguments: { a: 2, b: 2 } }] };
    return { toolCalls: [{ name: 'ask_human', arguments: { question: 'Which?' } }] };
  }
  return { text: `Done: ${results.map((result) => result.content.slice(0, 80)).join(' | ')}` };
}

interface CliCase {
  name: string;
  args: (ctx: Context) => string[];
  env?: (ctx: Context) => NodeJS.ProcessEnv;
  message: RegExp;
  hint?: RegExp;
}

interface Context {
  finished: string;
  waiting: string;
  folder: string;
  emptyCorpus: string;
  imagesOnly: string;
  emptyDoc: string;
  bigInput: string;
  emptyInput: string;
  closedPort: number;
}

const cliCases: CliCase[] = [
  { name: 'an empty input to cairn run', args: () => ['run', 'assistant', ''], message: /The input is empty: the agent has nothing to do\./, hint: /--input-file/ },
  { name: 'a blank input to cairn run', args: () => ['run', 'assistant', '   \n '], message: /The input is empty/ },
  { name: "'-' with nothing on standard input", args: () => ['run', 'assistant', '-'], message: /nothing came on standard input/ },
  { name: 'an --input-file that does not exist', args: (c) => ['run', 'assistant', '--input-file', join(c.folder, 'missing.txt')], message: /Cannot read --input-file .*missing\.txt: no such file\./, hint: /Check the path/ },
  { name: 'an empty --input-file', args: (c) => ['run', 'assistant', '--input-file', c.emptyInput], message: /The input is empty \(.*empty\.txt\)/ },
  { name: 'an input given twice', args: (c) => ['run', 'assistant', 'hi', '--input-file', c.emptyInput], message: /Give the input once/ },
  { name: 'an input too large for a client without the blob store', args: (c) => ['run', 'assistant', '--input-file', c.bigInput, '--detach'], message: /The input is 2\.0 MiB; a run's input may be at most 1\.0 MiB when this client cannot reach the workers' blob store\./, hint: /file or a corpus folder/ },
  { name: 'an unknown agent', args: () => ['run', 'asistant', 'hi'], message: /Unknown agent 'asistant'\. Served agents: .*assistant/ },
  { name: 'a bad --budget', args: () => ['run', 'assistant', 'hi', '--budget', 'lots'], message: /--budget/ },
  { name: 'a zero --max-turns', args: () => ['run', 'assistant', 'hi', '--max-turns', '0'], message: /--max-turns/ },
  { name: 'a config with two tools of one name', args: () => ['run', 'twins', 'hi', '--config', fixture('duplicate-tools')], message: /Agent 'twins' has two tools named 'lookup'\./ },
  { name: 'a config naming an unknown provider', args: () => ['run', 'stranger', 'hi', '--config', fixture('unknown-provider')], message: /Agent 'stranger': Unknown model provider 'mistrall' in model id 'mistrall:large'\. Known providers: openai, anthropic\./, hint: /defineProvider\(\{ id: 'mistrall'/ },
  { name: 'a --config that does not exist', args: (c) => ['run', 'assistant', 'hi', '--config', join(c.folder, 'nope.config.ts')], message: /Config file not found/, hint: /--config/ },
  { name: 'a zero --max-concurrent-activities', args: () => ['worker', '--max-concurrent-activities', '0'], message: /--max-concurrent-activities/ },
  { name: 'a CAIRN_MAX_CONCURRENT_ACTIVITIES that is not a number', args: () => ['worker'], env: () => ({ CAIRN_MAX_CONCURRENT_ACTIVITIES: 'lots' }), message: /CAIRN_MAX_CONCURRENT_ACTIVITIES is 'lots', not a positive whole number\./, hint: /such as 200/ },
  { name: 'a task queue no worker polls', args: () => ['run', 'assistant', 'hi', '--task-queue', `nobody-${Date.now()}`], message: /No worker polls task queue 'nobody-\d+'.*Nothing was started\./, hint: /cairn worker --task-queue/ },
  { name: 'an empty research question', args: () => ['research', '  '], message: /The research question is empty/ },
  { name: '--corpus that is not a folder', args: (c) => ['research', 'q?', '--corpus', c.emptyInput], message: /--corpus .* is not a folder/ },
  { name: '--corpus on an empty folder', args: (c) => ['research', 'q?', '--corpus', c.emptyCorpus], message: /--corpus .* has no readable documents/, hint: /Add the documents/ },
  { name: '--corpus with no text files', args: (c) => ['research', 'q?', '--corpus', c.imagesOnly], message: /has no readable documents: no non-empty \.md/ },
  { name: '--corpus whose only document is empty', args: (c) => ['research', 'q?', '--corpus', c.emptyDoc], message: /has no readable documents/ },
  { name: 'cairn report on a run that is not research', args: (c) => ['report', c.finished], message: /Run '.*' is not a research job: it is a run of the agent 'asker', which has no report to print\./, hint: /cairn status/ },
  { name: 'cairn report --out on a run that is not research', args: (c) => ['report', c.finished, '--out', join(c.folder, 'report.md')], message: /is not a research job/ },
  { name: 'cairn watch on a run that is not research', args: (c) => ['watch', c.finished], message: /is not a research job: .*no report to watch/ },
  { name: 'cairn report on an unknown run', args: () => ['report', 'no-such-run'], message: /No run with id 'no-such-run'\./ },
  { name: 'cairn status on an unknown run', args: () => ['status', 'no-such-run'], message: /No run with id 'no-such-run'\./, hint: /cairn list/ },
  { name: 'an answer to a finished run', args: (c) => ['answer', c.finished, 'metric'], message: /Run '.*' is completed: it waits for no answer or decision any more\./, hint: /cairn status/ },
  { name: 'an approval on a finished run', args: (c) => ['approve', c.finished], message: /is completed: it waits for no answer/ },
  { name: 'an answer to a question that is not pending', args: (c) => ['answer', c.waiting, 'x', '--question', 'call-9-9'], message: /has no pending question 'call-9-9'/, hint: /Pending: call-1-1/ },
  { name: 'an approval where nothing waits for one', args: (c) => ['approve', c.waiting], message: /is not waiting for any approval/ },
  { name: 'a budget top-up that is not an amount', args: (c) => ['budget', 'add', c.waiting, '-5'], message: /./ },
  { name: 'a budget top-up on a finished run', args: (c) => ['budget', 'add', c.finished, '5k'], message: /is not running \(it is completed\)/ },
  { name: 'cancelling a finished run', args: (c) => ['cancel', c.finished], message: /is not running \(it is completed\)/ },
  { name: 'an unreachable Temporal server', args: () => ['list'], env: (c) => ({ TEMPORAL_ADDRESS: `127.0.0.1:${c.closedPort}` }), message: /Cannot reach the Temporal server/, hint: /TEMPORAL_ADDRESS/ },
];

describe('bad input', { timeout: 300_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  const context = {} as Context;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({ agents: [asker, canary], mock });
    context.folder = mkdtempSync(join(tmpdir(), 'cairn-bad-input-'));
    context.emptyInput = join(context.folder, 'empty.txt');
    writeFileSync(context.emptyInput, '  \n');
    context.bigInput = join(context.folder, 'big.txt');
    writeFileSync(context.bigInput, 'word '.repeat(2 * 1024 * 1024 / 5));
    for (const [name, files] of [['emptyCorpus', {}], ['imagesOnly', { 'a.png': 'PNG', 'b.pdf': '%PDF' }], ['emptyDoc', { 'notes.md': '' }]] as const) {
      const folder = join(context.folder, name);
      mkdirSync(folder);
      for (const [file, content] of Object.entries(files)) writeFileSync(join(folder, file), content);
      context[name] = folder;
    }
    context.closedPort = await getFreePort();
    const finished = await stack.client.start('asker', 'finish me');
    await eventually(async () => ((await stack.client.pending(finished.runId)).length > 0 ? true : undefined), 'the question');
    await stack.client.answer(finished.runId, 'metric');
    await stack.client.result(finished.runId);
    context.finished = finished.runId;
    context.waiting = (await stack.client.start('asker', 'keep waiting')).runId;
    await eventually(async () => ((await stack.client.pending(context.waiting)).length > 0 ? true : undefined), 'the question');
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it(`gives each of ${cliCases.length} bad CLI inputs one clear line and a non-zero exit, and a canary run completes unchanged`, async () => {
    const canaryRun = await stack.client.start('canary', 'Sing.');
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_TASK_QUEUE: stack.taskQueue, OPENAI_API_KEY: 'test-key', NO_COLOR: '1' };
    const outcomes: string[] = [];
    // A few commands at a time: each is a Node process of its own.
    for (let i = 0; i < cliCases.length; i += 4) {
      await Promise.all(
        cliCases.slice(i, i + 4).map(async (bad) => {
          const result = await runCli(bad.args(context), { ...env, ...bad.env?.(context) });
          const lines = result.stderr.trim().split('\n').filter((line) => !/^(Starting|Started|Restarting)/.test(line));
          try {
            expect(result.code, bad.name).not.toBe(0);
            expect(lines[0], bad.name).toMatch(/^error:? /);
            expect(lines[0], bad.name).toMatch(bad.message);
            if (bad.hint) expect(lines[1], bad.name).toMatch(bad.hint);
            expect(lines.length, `${bad.name}: one line and a hint at most\n${result.stderr}`).toBeLessThanOrEqual(2);
          } catch (error) {
            outcomes.push(`${bad.name}: ${(error as Error).message.split('\n')[0]}\n  stderr: ${result.stderr.trim()}`);
          }
        }),
      );
    }
    expect(outcomes).toEqual([]);

    // Nothing changed: the waiting run still waits for its one question, the finished one is as it was.
    expect((await stack.client.pending(context.waiting)).map((item) => item.id)).toEqual(['call-1-1']);
    expect((await stack.client.status(context.waiting)).rejected).toEqual([]);
    expect((await stack.client.result(context.finished)).output).toBe('Done: metric');
    expect(await stack.client.result(canaryRun.runId)).toMatchObject({ status: 'completed', output: 'Canary sang 12 times.', turns: 13 });
  });

  it('loads a cairn.config.ts that lives in a CommonJS package', async () => {
    const env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_TASK_QUEUE: stack.taskQueue, OPENAI_API_KEY: 'test-key', NO_COLOR: '1' };
    const result = await runCli(['run', 'cjs-agent', 'hi', '--config', cjsConfig, '--detach'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Run cjs-agent-\S+$/m);
  });

  it.each([
    ['malformed tool JSON', 'malformed json', /Done: Invalid arguments for 'add': not valid JSON/],
    ['an unknown tool name', 'unknown tool', /Done: There is no tool named 'subtract'\. Available tools: add/],
    ['repeated tool-call ids', 'repeated ids', /^Done: 2 \| 4$/],
  ])('carries on when the model sends %s: the model is told, the run completes', async (_name, task, output) => {
    const result = await stack.client.result((await stack.client.start('asker', task)).runId);
    expect(result.status).toBe('completed');
    expect(result.output).toMatch(output);
  });

  it('ends a run whose answer stays cut off as truncated, not completed', async () => {
    const result = await stack.client.result((await stack.client.start('asker', 'truncated', { continuations: 1 })).runId);
    expect(result).toMatchObject({ status: 'truncated', output: 'Half an answer, cut again' });
  });

  it.each([
    ['an empty input', '  ', /The input is empty/],
    ['an input over 1 MiB, from a client without the blob store', 'x'.repeat(1024 * 1024 + 1), /The input is 1\.0 MiB; a run's input may be at most 1\.0 MiB when this client cannot reach the workers' blob store\./],
  ])('refuses %s through the API, starting nothing', async (_name, input, message) => {
    const withoutBlobs = new CairnClient(stack.temporal, { taskQueue: stack.taskQueue });
    await expect(withoutBlobs.start('asker', input)).rejects.toThrow(message);
  });
});
