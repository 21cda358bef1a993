/**
 * A scorer reads what a case's run did and says how well: a score from 0 to 1
 * and whether that passes. Small, typed functions; `defineScorer` makes one in
 * a few lines.
 */
import type { AgentDefinition, AgentRunResult, RunRecord } from '@cairn/core';
import type { EvalCase } from './eval-case.ts';

export interface ScoreInput<Output = unknown> {
  case: EvalCase;
  result: AgentRunResult<Output>;
  /** The run turn by turn: its tool calls, with arguments and results. */
  record: RunRecord;
  /** From the run's start to its end. */
  durationMs: number;
  /**
   * Runs another agent for this case (a judge), as a durable run of the suite within
   * what is left of the case's budget; its tokens and cost count in the case's.
   */
  runAgent<Output>(agent: AgentDefinition<string, Output>, input: string): Promise<AgentRunResult<Output>>;
}

export interface Score {
  scorer: string;
  /** 0 to 1. */
  score: number;
  pass: boolean;
  /** Why, in a few words, when it did not pass. */
  note?: string;
}

export interface Scorer<Output = unknown> {
  readonly name: string;
  score(input: ScoreInput<Output>): Score | Promise<Score>;
}

/**
 * A scorer of your own: return a number (passing at `threshold`, default 1), a
 * boolean, or `{ score, note }`.
 */
export function defineScorer<Output = unknown>(
  name: string,
  score: (input: ScoreInput<Output>) => number | boolean | { score: number; note?: string } | Promise<number | boolean | { score: number; note?: string }>,
  options: { threshold?: number } = {},
): Scorer<Output> {
  const threshold = options.threshold ?? 1;
  return {
    name,
    async score(input) {
      const raw = await score(input);
      const { value, note } = typeof raw === 'boolean' ? { value: raw ? 1 : 0, note: undefined } : typeof raw === 'number' ? { value: raw, note: undefined } : { value: raw.score, note: raw.note };
      const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
      const pass = clamped >= threshold;
      return { scorer: name, score: clamped, pass, ...(note && !pass ? { note } : {}) };
    },
  };
}
