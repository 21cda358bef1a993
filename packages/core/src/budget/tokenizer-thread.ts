import { Worker } from 'node:worker_threads';

interface Request {
  thread: Worker;
  resolve: (counts: number[]) => void;
  reject: (error: Error) => void;
}

/**
 * Counts tokens on a thread of its own. Building the tokenizer parses the whole
 * o200k table (more than a second of CPU), and counting a long conversation on
 * a fresh worker takes as long again: on the event loop either would delay a
 * worker's start, or starve the heartbeats of the calls in flight until
 * Temporal retried a live call elsewhere.
 */
export class TokenizerThread {
  private thread: Worker | undefined;
  private readonly requests = new Map<number, Request>();
  private nextId = 0;

  /** Tokens in each text, as `countTokens` counts them. */
  count(texts: string[]): Promise<number[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const thread = this.ensureThread();
    const id = this.nextId++;
    return new Promise<number[]>((resolve, reject) => {
      this.requests.set(id, { thread, resolve, reject });
      // A request in flight keeps the process alive; an idle thread does not.
      if (this.requests.size === 1) thread.ref();
      thread.postMessage({ id, texts });
    });
  }

  async close(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    await thread?.terminate();
  }

  private ensureThread(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(new URL('./tokenizer-thread-entry.js', import.meta.url));
    thread.on('message', (message: { id: number; counts?: number[]; error?: string }) => {
      const request = this.requests.get(message.id);
      if (!request) return;
      this.requests.delete(message.id);
      if (this.requests.size === 0) thread.unref();
      if (message.counts) request.resolve(message.counts);
      else request.reject(new Error(`Counting tokens failed: ${message.error ?? 'unknown error'}`));
    });
    // A thread that dies fails its own requests; the next count starts a new one.
    const failAll = (error: Error) => {
      if (this.thread === thread) this.thread = undefined;
      for (const [id, request] of this.requests) {
        if (request.thread !== thread) continue;
        this.requests.delete(id);
        request.reject(error);
      }
    };
    thread.on('error', failAll);
    thread.on('exit', (code) => failAll(new Error(`The tokenizer thread stopped (exit code ${code}).`)));
    // After the listeners: adding a 'message' listener refs the thread again.
    thread.unref();
    this.thread = thread;
    return thread;
  }
}
