/** What a case may cost: tokens, USD and time. */
import { defineScorer, type Scorer } from '../scorer.ts';

export function withinBudget(limits: { tokens?: number; usd?: number }): Scorer {
  return defineScorer('budget', ({ result }) => {
    const tokens = result.usage.inputTokens + result.usage.outputTokens;
    const over = [
      ...(limits.tokens !== undefined && tokens > limits.tokens ? [`${tokens} tokens > ${limits.tokens}`] : []),
      ...(limits.usd !== undefined && (result.costUsd ?? 0) > limits.usd ? [`$${(result.costUsd ?? 0).toFixed(4)} > $${limits.usd}`] : []),
    ];
    return { score: over.length === 0 ? 1 : 0, note: over.join(', ') };
  });
}

export function withinLatency(maxMs: number): Scorer {
  return defineScorer('latency', ({ durationMs }) => ({ score: durationMs <= maxMs ? 1 : 0, note: `${durationMs} ms > ${maxMs} ms` }));
}
