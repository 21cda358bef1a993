import { describe, expect, it } from 'vitest';
import { Semaphore } from './semaphore.ts';

describe.each(['run', 'runPromptly'] as const)('Semaphore.%s', (method) => {
  it('never lets more than its permits run, and runs the rest in arrival order', async () => {
    const semaphore = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const delays = [30, 5, 20, 1, 10, 2];
    const results = await Promise.all(
      delays.map((delay, index) =>
        semaphore[method](async () => {
          started.push(index);
          running += 1;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, delay));
          running -= 1;
          return index * 10;
        }),
      ),
    );
    expect(results).toEqual([0, 10, 20, 30, 40, 50]);
    expect(peak).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('frees the permit when the work throws', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore[method](async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await semaphore[method](async () => 'next')).toBe('next');
  });
});

describe('Semaphore.runPromptly', () => {
  it('starts the work in the same tick when a permit is free', () => {
    const semaphore = new Semaphore(1);
    let started = false;
    void semaphore.runPromptly(async () => {
      started = true;
    });
    expect(started).toBe(true);
  });

  it('frees the permit when the work throws before it returns a promise', async () => {
    const semaphore = new Semaphore(1);
    expect(() =>
      semaphore.runPromptly(() => {
        throw new Error('at once');
      }),
    ).toThrow('at once');
    expect(await semaphore.runPromptly(async () => 'next')).toBe('next');
  });
});
