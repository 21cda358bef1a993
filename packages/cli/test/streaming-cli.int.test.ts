/**
 * `cairn run` shows the answer while the model writes it. Driven in a real
 * terminal (tmux): the pane is captured while the answer is still being written,
 * and again once it is done. The agent runs on an in-process worker; the CLI
 * reaches the same Temporal server through TEMPORAL_ADDRESS.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually, MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { narrator } from './fixtures/streaming.config.ts';
import { cairnBin } from './cli-process.ts';

const config = fileURLToPath(new URL('./fixtures/streaming.config.ts', import.meta.url));
const words = Array.from({ length: 40 }, (_, n) => `Line ${n + 1} of the tale.`);
const tale = words.join(' ');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;

describe.skipIf(!hasTmux)('cairn run, streaming in a terminal', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  const socket = `cairn-stream-${process.pid}`;
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  const pane = () => tmux('capture-pane', '-p', '-J', '-t', 'cairn').stdout;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    // About 80 pieces, 100 ms apart: eight seconds of writing.
    mock.handle(() => ({ text: tale, streamDelayMs: 100 }));
    stack = await startTestStack({ agents: [narrator], mock, address: inject('temporalAddress') });
  });
  afterAll(async () => {
    tmux('kill-server');
    await stack?.stop();
    await mock?.close();
  });

  it('prints the answer as it is written, then the rest and the totals', async () => {
    const env = {
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-stream-')),
      CAIRN_BLOB_DIR: stack.blobDir,
      CAIRN_TASK_QUEUE: stack.taskQueue,
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: mock.openaiBaseUrl,
      NO_COLOR: '1',
    };
    const script = join(env.CAIRN_HOME, 'run.sh');
    const exports = Object.entries(env).map(([name, value]) => `export ${name}='${value}'`).join('\n');
    writeFileSync(script, `${exports}\n'${process.execPath}' '${cairnBin}' run narrator 'Tell it.' --config '${config}'; echo "exit $?"; sleep 60\n`);
    expect(tmux('new-session', '-d', '-s', 'cairn', '-x', '200', '-y', '50', `bash ${script}`).status).toBe(0);

    // First capture: some of the tale is on screen, not all of it.
    const first = await eventually(() => {
      const text = pane();
      return text.includes('Line 3 of the tale.') && !text.includes(words.at(-1)!) ? text : undefined;
    }, 'part of the answer on screen while it is written', 60_000);
    // Second capture: more of it, still before the end.
    const second = await eventually(() => {
      const text = pane();
      return text.length > first.length && text.includes('Line 10 of the tale.') ? text : undefined;
    }, 'more of the answer', 30_000);
    const final = await eventually(() => (pane().includes('exit 0') ? pane() : undefined), 'the run to finish', 60_000);
    console.log(`pane while writing:\n${first.trimEnd()}\n---\n${second.trimEnd()}\n--- at the end:\n${final.trimEnd()}`);

    // Once done, the tale is on screen exactly once, whole, followed by the totals.
    const joined = final.replace(/\n/g, ' ');
    expect(joined.split('Line 1 of the tale.').length - 1).toBe(1);
    expect(joined).toContain(words.at(-1));
    expect(final).toMatch(/✓ 1 turn · .* tokens/);
    // The progress line names the turn under way, not the turns finished.
    expect(final).toContain('turn 1 · calling model');
  });
});
