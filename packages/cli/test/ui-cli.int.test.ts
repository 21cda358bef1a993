/**
 * `cairn ui` as a user starts it: it prints where the console is and serves it
 * until Ctrl-C; asked to listen beyond loopback without a token, it refuses in
 * one line and starts nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cairnBin, runCli } from './cli-process.ts';

const env = () => ({ TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-ui-')), NO_COLOR: '1' });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('cairn ui', { timeout: 120_000 }, () => {
  it('serves the console on loopback until Ctrl-C', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [cairnBin, 'ui', '--port', String(port)], { env: { ...process.env, ...env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    for (const start = Date.now(); !output.includes('Cairn console at'); ) {
      if (Date.now() - start > 60_000 || child.exitCode !== null) throw new Error(`cairn ui did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain(`Cairn console at http://127.0.0.1:${port}`);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await page.text()).toContain('<title>Cairn console</title>');
    expect(Array.isArray(await (await fetch(`http://127.0.0.1:${port}/api/runs`)).json())).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('refuses to listen beyond loopback without a token', async () => {
    const result = await runCli(['ui', '--host', '0.0.0.0', '--port', String(await freePort())], env());
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      'error The console would listen on 0.0.0.0 with no token: anyone who reaches it could answer and approve for your runs.',
      'hint  Set CAIRN_UI_TOKEN (e.g. alice:<long random token>), or keep it on loopback (the default).',
    ]);
  });
});
