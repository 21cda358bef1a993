/**
 * Like `Promise.all(items.map(run))`, but with at most `limit` runs at once,
 * results in input order. Deterministic: it only orders promises, so it is safe
 * in workflow code.
 */
export async function boundedAll<T, R>(items: readonly T[], limit: number, run: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function lane(): Promise<void> {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, lane));
  return results;
}
