import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireFileLock } from './file-lock.ts';

let root: string;
let lockPath: string;
const activity = 'starting the embedded stack';

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'cairn-lock-'));
  lockPath = join(root, 'stack.lock');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('acquireFileLock', () => {
  it('makes a second caller wait until the first releases', async () => {
    const first = await acquireFileLock(lockPath, { activity });
    if (first === 'done') throw new Error('unexpected');
    let secondHasIt = false;
    const second = acquireFileLock(lockPath, { activity, pollMs: 20 }).then((lock) => {
      secondHasIt = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(secondHasIt).toBe(false);
    await first.release();
    const lock = await second;
    expect(lock).not.toBe('done');
    if (lock !== 'done') await lock.release();
  });

  it('stops waiting when the awaited result appears', async () => {
    const first = await acquireFileLock(lockPath, { activity });
    let done = false;
    setTimeout(() => (done = true), 100);
    expect(await acquireFileLock(lockPath, { activity, pollMs: 20, isDone: async () => done })).toBe('done');
    if (first !== 'done') await first.release();
  });

  it('takes over a lock whose owner is dead, and says so', async () => {
    writeFileSync(lockPath, '2147483646\n2020-01-01T00:00:00Z\n');
    const progress: string[] = [];
    const lock = await acquireFileLock(lockPath, { activity, report: (line) => progress.push(line), pollMs: 20 });
    expect(lock).not.toBe('done');
    expect(progress[0]).toMatch(/stale lock left by starting the embedded stack \(pid 2147483646 is gone\)/);
    if (lock !== 'done') await lock.release();
  });

  it('takes over a lock its live owner stopped refreshing', async () => {
    writeFileSync(lockPath, `${process.pid}\n`);
    const old = new Date(Date.now() - 10 * 60_000);
    utimesSync(lockPath, old, old);
    const lock = await acquireFileLock(lockPath, { activity, staleLockMs: 60_000, pollMs: 20 });
    expect(lock).not.toBe('done');
    if (lock !== 'done') await lock.release();
  });

  it('gives up after the wait timeout, naming the holder and the lock file', async () => {
    const first = await acquireFileLock(lockPath, { activity });
    const error = await acquireFileLock(lockPath, { activity, waitTimeoutMs: 100, pollMs: 20 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Gave up waiting for another process \(pid \d+\) starting the embedded stack/);
    expect((error as { hint: string }).hint).toContain(lockPath);
    if (first !== 'done') await first.release();
  });
});
