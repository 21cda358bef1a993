/**
 * At most `permits` holders at once; the rest wait in arrival order. Only
 * orders promises, so it is deterministic and safe in workflow code.
 */
export class Semaphore {
  private readonly waiting: (() => void)[] = [];

  constructor(private permits: number) {}

  /**
   * Runs `work` once a permit is free, a few microtasks later even when one is: deep research
   * and agent runs recorded before 0.9 replay only with this timing.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  /**
   * Like `run`, but `work` starts in this very tick when a permit is free, and holding the
   * permit costs one promise instead of four: in a workflow, the SDK captures a stack trace
   * for every promise created (tens of microseconds each).
   */
  runPromptly<T>(work: () => Promise<T>): Promise<T> {
    if (this.permits > 0) {
      this.permits -= 1;
      return this.holding(work);
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => this.holding(work));
  }

  /** Runs `work` on a permit already taken, and gives the permit back once it settles. */
  private holding<T>(work: () => Promise<T>): Promise<T> {
    let running: Promise<T>;
    try {
      running = work();
    } catch (error) {
      this.release();
      throw error;
    }
    running.then(this.release, this.release);
    return running;
  }

  private async acquire(): Promise<void> {
    if (this.permits > 0) {
      this.permits -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private readonly release = (): void => {
    const next = this.waiting.shift();
    if (next) next();
    else this.permits += 1;
  };
}
