/**
 * `cairn show` as a user runs it, on a finished run with a tool error, a question,
 * a delegation and an approval. The agents run on an in-process worker; the CLI
 * reaches the same Temporal server and blob store through TEMPORAL_ADDRESS and
 * CAIRN_BLOB_DIR.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import type { RunRecord } from '@cairn/core';
import { accountant, clerk, clerkAnswer, invoiceModel, payInvoice } from '../../core/test/fixtures/invoice-run.ts';
import { runCli } from './cli-process.ts';

describe('cairn show', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let env: NodeJS.ProcessEnv;
  let runId: string;
  const cairn = (...args: string[]) => runCli(args, env);

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(invoiceModel);
    stack = await startTestStack({ agents: [accountant, clerk], mock, address: inject('temporalAddress') });
    env = { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-show-')), CAIRN_BLOB_DIR: stack.blobDir, CAIRN_TASK_QUEUE: stack.taskQueue, NO_COLOR: '1' };
    runId = await payInvoice(stack);
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('prints the run turn by turn, with the sub-agent nested and long values folded', async () => {
    const { code, stdout, stderr } = await cairn('show', runId);
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`${runId}  accountant (openai:gpt-4o-mini)  completed`);
    expect(lines[1]).toMatch(/^4 turns · 4000 in \/ 400 out tokens · \$0\.0008 · started 20\d\d-/);
    expect(lines[2]).toBe('input  Pay whatever invoice is due.');
    expect(stdout).toContain('turn 1 · 1000 in / 100 out · $0.0002 · budget 1,100 of 100,000 tokens');
    expect(stdout).toContain('  Let me check.');
    expect(stdout).toContain('  → lookup call-1-1  {"invoice":"INV-7"}\n    ← error Tool \'lookup\' failed: the ledger has no INV-7');
    expect(stdout).toContain('  → ask_human call-1-2  {"question":"Which currency?"}\n    ← answered by a person EUR');
    expect(stdout).toContain('  → delegate_to_clerk call-2-1  {"task":"Which invoice is due?"}');
    expect(stdout).toContain(`    │ ${runId}.call-2-1  clerk (openai:gpt-clerk)  completed`);
    expect(stdout).toContain('    │ input  Which invoice is due?');
    expect(stdout).toMatch(/ {4}← INV-7 is due: 120 EUR\. Ledger notes: .{200,} … \(\d[\d,]* more characters; --full shows all\)/);
    expect(stdout).toContain('  → pay call-3-1  {"invoice":"INV-7","amount":120}\n    approval: approved by a person\n    ← paid 120 on INV-7');
    expect(stdout).toContain('answer\n  Paid INV-7 in EUR.');
  });

  it('--full unfolds long values; --depth 0 leaves sub-agents as one line', async () => {
    const full = await cairn('show', runId, '--full', '--depth', '0');
    expect(full.code, full.stderr).toBe(0);
    expect(full.stdout).toContain(`← ${clerkAnswer}`);
    expect(full.stdout).not.toContain('more characters');
    expect(full.stdout).toContain(`  sub-agent clerk ${runId}.call-2-1 completed (--depth to include)`);
    expect(full.stdout).not.toContain('│');
  });

  it('--json gives the same record as data', async () => {
    const { code, stdout, stderr } = await cairn('show', runId, '--json');
    expect(code, stderr).toBe(0);
    const record = JSON.parse(stdout) as RunRecord;
    expect(record).toMatchObject({ runId, agent: 'accountant', state: 'completed', output: 'Paid INV-7 in EUR.' });
    expect(record.turns.flatMap((turn) => turn.toolCalls.map((call) => [call.name, call.kind, call.isError]))).toEqual([
      ['lookup', 'tool', true],
      ['ask_human', 'question', false],
      ['delegate_to_clerk', 'delegation', false],
      ['pay', 'tool', false],
    ]);
    expect(record.turns[1]!.toolCalls[0]!.child).toMatchObject({ agent: 'clerk', output: clerkAnswer });
  });

  it('an unknown run is one line and a hint', async () => {
    const { code, stdout, stderr } = await cairn('show', 'no-such-run');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(2);
    expect(stderr).toMatch(/no-such-run/);
  });
});
