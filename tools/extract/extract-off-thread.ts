import { Worker } from 'node:worker_threads';
import type { ReadableText } from './readable.ts';

/** Longest one page may take to extract before it is given up. */
export const defaultExtractDeadlineMs = 15_000;

export class ExtractionTimeoutError extends Error {
  constructor(readonly deadlineMs: number) {
    super(`Extracting the page's text took longer than ${deadlineMs / 1000} s (its markup is too large or too deeply nested).`);
    this.name = 'ExtractionTimeoutError';
  }
}

interface Job {
  thread: Worker;
  resolve: (page: ReadableText) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * Parsing HTML and running Readability is synchronous CPU work that can take
 * seconds on a large or deeply nested page; on the worker's event loop it would
 * stop heartbeats and stall every other run. It runs here on one worker thread,
 * one page at a time, with a deadline: a page past it ends that thread and
 * fails alone, and the next page gets a fresh thread.
 */
export class ExtractionThread {
  private thread: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private nextId = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly deadlineMs = defaultExtractDeadlineMs) {}

  extract(html: string): Promise<ReadableText> {
    const run = this.queue.then(() => this.send(html));
    this.queue = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private send(html: string): Promise<ReadableText> {
    const thread = this.start();
    const id = this.nextId++;
    return new Promise<ReadableText>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.jobs.delete(id);
        void this.close();
        reject(new ExtractionTimeoutError(this.deadlineMs));
      }, this.deadlineMs);
      this.jobs.set(id, { thread, resolve, reject, timer });
      thread.postMessage({ id, html });
    });
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(new URL('./extract-thread.js', import.meta.url));
    thread.on('message', (message: { id: number; page?: ReadableText; error?: string }) => {
      const job = this.jobs.get(message.id);
      if (!job) return;
      this.jobs.delete(message.id);
      clearTimeout(job.timer);
      if (message.page) job.resolve(message.page);
      else job.reject(new Error(message.error ?? 'Extraction failed.'));
    });
    // Fails the pages of this thread only: a thread ended at a deadline exits after its successor has started.
    const failAll = (error: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const [id, job] of this.jobs) {
        if (job.thread !== thread) continue;
        this.jobs.delete(id);
        clearTimeout(job.timer);
        job.reject(error);
      }
    };
    thread.on('error', failAll);
    thread.on('exit', () => failAll(new Error('The extraction thread stopped.')));
    // An idle thread must not keep a finished process alive (a pending page's deadline timer does).
    // After the listeners: adding a 'message' listener refs the thread again.
    thread.unref();
    this.thread = thread;
    return thread;
  }
}

let shared: ExtractionThread | undefined;

/** `extractReadable`, off the event loop, on one thread shared by the process. */
export function extractReadableOffThread(html: string): Promise<ReadableText> {
  shared ??= new ExtractionThread();
  return shared.extract(html);
}
