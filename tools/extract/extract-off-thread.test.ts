import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { ExtractionThread, ExtractionTimeoutError } from './extract-off-thread.ts';

const paragraphs = (count: number) => `<html><body>${Array.from({ length: count }, (_, i) => `<p>Paragraph ${i} says something.</p>`).join('')}</body></html>`;
const nested = (depth: number) => `<html><body>${'<div><span>x '.repeat(depth)}${'</span></div>'.repeat(depth)}</body></html>`;

describe('ExtractionThread', () => {
  const thread = new ExtractionThread();
  afterAll(() => thread.close());

  it('extracts the same text as on the main thread', async () => {
    const page = await thread.extract('<html><head><title>T</title></head><body><nav>menu</nav><p>Just a line.</p></body></html>');
    expect(page).toMatchObject({ title: 'T', text: 'Just a line.' });
  });

  it('keeps the caller’s event loop free while a 400 KB page and a deeply nested page are extracted', async () => {
    await thread.extract('<p>warm</p>');
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const pages = await Promise.all([thread.extract(paragraphs(12_000)), thread.extract(nested(600))]);
    delay.disable();
    const p99 = delay.percentile(99) / 1e6;
    console.log(`extraction off the event loop: ${pages[0].text.length} + ${pages[1].text.length} characters, event-loop delay p99 ${p99.toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
    expect(pages[0].text).toContain('Paragraph 11999 says something.');
    expect(p99).toBeLessThan(100);
  });

  it('gives up on a page past its deadline, and the next page gets a fresh thread', async () => {
    const impatient = new ExtractionThread(1);
    await expect(impatient.extract(paragraphs(20_000))).rejects.toBeInstanceOf(ExtractionTimeoutError);
    await expect(impatient.extract(paragraphs(20_000))).rejects.toThrow(/took longer than 0.001 s/);
    await impatient.close();
    const patient = new ExtractionThread(30_000);
    expect((await patient.extract('<p>fine</p>')).text).toBe('fine');
    await patient.close();
  });

  it('lets a process whose work is done exit, though its thread is still there', () => {
    const module = JSON.stringify(new URL('./extract-off-thread.ts', import.meta.url).href);
    const script = join(mkdtempSync(join(tmpdir(), 'cairn-exit-')), 'extract-once.mjs');
    writeFileSync(script, `import { extractReadableOffThread } from ${module};\nconsole.log((await extractReadableOffThread('<p>done</p>')).text);\n`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.signal, 'the process was still running after 30 s').toBeNull();
    expect([result.status, result.stdout.trim()]).toEqual([0, 'done']);
  });
});
