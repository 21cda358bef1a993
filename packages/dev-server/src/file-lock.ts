/**
 * A lock file shared by processes on one machine: created exclusively and holding its
 * owner's pid. Used where two commands started at once would otherwise race (two builds
 * of the Temporal CLI; two `cairn up` starting a server on one database).
 */
import { open, readFile, rm, stat, utimes } from 'node:fs/promises';
import { CairnError } from '@cairn/core/errors';
import { isProcessAlive } from './process-alive.ts';

export interface FileLock {
  /** Marks the lock as still held: a lock not refreshed for `staleLockMs` is taken over. */
  refresh(): Promise<void>;
  release(): Promise<void>;
}

export interface AcquireFileLockOptions {
  /** What the holder is doing, for progress and errors: "building the Temporal CLI". */
  activity: string;
  report?: (line: string) => void;
  /** Stop waiting (and return 'done') once this turns true: the holder did the work for us. */
  isDone?: () => Promise<boolean>;
  /** Default 30 min. */
  waitTimeoutMs?: number;
  /** A lock not refreshed for this long is abandoned (its holder died). Default 2 min. */
  staleLockMs?: number;
  pollMs?: number;
  /** Raised when the wait times out. Default CairnError. */
  makeError?: (message: string, hint: string) => Error;
}

/**
 * Takes the lock at `lockPath`, or waits while another live process holds it. Returns
 * 'done' when `isDone` turns true while waiting. A lock whose owner is dead, or which its
 * owner stopped refreshing, is taken over.
 */
export async function acquireFileLock(lockPath: string, options: AcquireFileLockOptions): Promise<FileLock | 'done'> {
  const report = options.report ?? (() => {});
  const staleLockMs = options.staleLockMs ?? 2 * 60_000;
  const pollMs = options.pollMs ?? 1_000;
  const makeError = options.makeError ?? ((message, hint) => new CairnError(message, { hint }));
  const started = Date.now();
  const deadline = started + (options.waitTimeoutMs ?? 30 * 60_000);
  let lastReport = 0;

  for (;;) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n${new Date().toISOString()}\n`);
      await handle.close();
      let released = false;
      return {
        refresh: async () => {
          if (released) return;
          const now = new Date();
          await utimes(lockPath, now, now).catch(() => {});
        },
        release: async () => {
          released = true;
          await rm(lockPath, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }

    const holder = await readLock(lockPath);
    if (holder && (!holder.alive || Date.now() - holder.mtimeMs > staleLockMs)) {
      report(`Removing a stale lock left by ${options.activity} (pid ${holder.pid ?? '?'} is gone): ${lockPath}`);
      await rm(lockPath, { force: true });
      continue;
    }
    if (options.isDone && (await options.isDone())) return 'done';
    const waited = Math.round((Date.now() - started) / 1000);
    if (Date.now() > deadline) {
      throw makeError(`Gave up waiting for another process (pid ${holder?.pid ?? '?'}) ${options.activity} after ${waited}s.`, `If no other process is ${options.activity}, delete ${lockPath} and try again.`);
    }
    if (Date.now() - lastReport >= 15_000) {
      lastReport = Date.now();
      report(`Waiting for another process (pid ${holder?.pid ?? '?'}) ${options.activity}… ${waited}s`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

async function readLock(lockPath: string): Promise<{ pid?: number; alive: boolean; mtimeMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = Number.parseInt(text.split('\n')[0] ?? '', 10);
    // Being written right now, or garbage: judge by age alone.
    if (!Number.isInteger(pid) || pid <= 0) return { alive: true, mtimeMs: info.mtimeMs };
    return { pid, alive: isProcessAlive(pid), mtimeMs: info.mtimeMs };
  } catch {
    return undefined; // released between our attempt and this read
  }
}
