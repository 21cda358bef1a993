import { createInterface } from 'node:readline/promises';

/**
 * Asks one question on the terminal. Resolves undefined when `signal` aborts
 * (the item was resolved from elsewhere) or stdin has closed (nobody is there).
 */
export async function ask(question: string, signal?: AbortSignal): Promise<string | undefined> {
  if (process.stdin.readableEnded || process.stdin.destroyed) return undefined;
  const terminal = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY ?? false });
  const closed = new Promise<undefined>((resolve) => terminal.once('close', () => resolve(undefined)));
  try {
    return await Promise.race([terminal.question(question, { signal }).catch(() => undefined), closed]);
  } finally {
    terminal.close();
  }
}
