/**
 * `cairn run` in the foreground asks the person at the terminal when its run
 * asks a question, and steps aside when the answer comes from another terminal.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, startTestStack, toolResults, type TestStack } from '@cairn/testing';
import { cairnBin, runCli } from './cli-process.ts';
import { asker } from './fixtures/prompt.config.ts';

const config = fileURLToPath(new URL('./fixtures/prompt.config.ts', import.meta.url));

// Each `cairn` is a fresh Node process that compiles TypeScript and bundles workflows: slow on a loaded 2-core machine.
describe('cairn run in the foreground', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  const env = () => ({ TEMPORAL_ADDRESS: inject('temporalAddress'), NO_COLOR: '1' });

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request) => {
      const results = toolResults(request);
      if (results.length === 0) return { toolCalls: [{ id: 'units', name: 'ask_human', arguments: { question: 'Which units?' } }] };
      return { text: `Using: ${results[0]!.content}` };
    });
    stack = await startTestStack({ agents: [asker], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  /** `cairn run asker …` with a terminal we can type into. */
  function startRun() {
    const child = spawn(process.execPath, [cairnBin, 'run', 'asker', 'Convert 3 miles.', '--config', config, '--task-queue', stack.taskQueue], {
      env: { ...process.env, ...env() },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
    const waitFor = async (text: string) => {
      const start = Date.now();
      while (!stderr.includes(text)) {
        if (Date.now() - start > 30_000) throw new Error(`no "${text}" on the terminal:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
  }

  it('asks the question on the terminal and uses the answer typed there', async () => {
    const run = startRun();
    await run.waitFor('Your answer:');
    expect(run.output().stderr).toContain('question call-1-1: Which units?');
    run.child.stdin.write('metric\n');
    expect(await run.exited).toBe(0);
    expect(run.output().stdout).toContain('Using: metric');
  });

  it('withdraws the prompt when the answer comes from another terminal', async () => {
    const run = startRun();
    await run.waitFor('Your answer:');
    const runId = /Run (\S+)/.exec(run.output().stdout)![1]!;
    const elsewhere = await runCli(['answer', runId, 'imperial'], env());
    expect(elsewhere.code).toBe(0);
    expect(await run.exited).toBe(0);
    expect(run.output().stderr).toContain('(resolved elsewhere)');
    expect(run.output().stdout).toContain('Using: imperial');
  });
});
