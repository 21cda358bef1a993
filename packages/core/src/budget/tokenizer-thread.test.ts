import { afterEach, describe, expect, it } from 'vitest';
import { countTokens } from './count-tokens.ts';
import { TokenizerThread } from './tokenizer-thread.ts';

describe('TokenizerThread', () => {
  const tokenizer = new TokenizerThread();
  afterEach(() => tokenizer.close());

  it('counts as countTokens does, off the event loop', async () => {
    const texts = ['hello world', '', 'x'.repeat(20_000), 'The harbour was dredged in 1998. '.repeat(5_000)];
    // The event loop keeps ticking while the thread builds its tokenizer and counts.
    let longestGapMs = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      longestGapMs = Math.max(longestGapMs, performance.now() - last);
      last = performance.now();
    }, 5);
    const counts = await tokenizer.count(texts);
    clearInterval(ticker);
    expect(counts).toEqual(texts.map(countTokens));
    expect(longestGapMs).toBeLessThan(250);
  });

  it('fails the requests of a thread that stops, and starts a new thread for the next', async () => {
    const pending = tokenizer.count(['a long wait '.repeat(1_000)]);
    await tokenizer.close();
    await expect(pending).rejects.toThrow(/tokenizer thread stopped/);
    expect(await tokenizer.count(['hello world'])).toEqual([2]);
  });
});
