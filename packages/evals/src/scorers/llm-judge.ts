/**
 * An LLM as judge: an agent of the suite's grades each answer against a rubric.
 * The judge is an ordinary Cairn agent (`judgeAgent`) that workers serve, its
 * verdict a typed result; each grading is a durable run of the suite, within
 * what is left of the case's budget and counted in it.
 */
import { defineAgent, type AgentDefinition, type ModelId } from '@cairn/core';
import { z } from 'zod';
import { defineScorer, type Scorer } from '../scorer.ts';

const verdict = z.object({
  score: z.number().min(0).max(1).describe('How well the answer meets the rubric, from 0 (not at all) to 1 (fully).'),
  reason: z.string().describe('Why, in one sentence.'),
});

export type Verdict = z.output<typeof verdict>;

export const judgeInstructions =
  'You grade the answers of an AI agent against a rubric. Read the task, the rubric, what was expected (if given) and the answer. Judge only what the rubric asks; be strict and consistent. Give a score from 0 to 1 and one sentence of reason.';

/** A judge for `llmJudge`: list it among the config's agents so workers serve it. */
export function judgeAgent(options: { name?: string; model: ModelId; maxOutputTokens?: number }): AgentDefinition<string, Verdict> {
  return defineAgent({ name: options.name ?? 'eval-judge', model: options.model, instructions: judgeInstructions, output: verdict, maxTurns: 3, maxOutputTokens: options.maxOutputTokens ?? 512 });
}

/** What the judge is asked about one case. */
export function judgePrompt(rubric: string, task: unknown, expected: unknown, answer: string): string {
  const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return [`Rubric:\n${rubric}`, `Task given to the agent:\n${show(task)}`, ...(expected === undefined ? [] : [`Expected:\n${show(expected)}`]), `The agent's answer:\n${answer}`].join('\n\n');
}

export function llmJudge(options: { judge: AgentDefinition<string, Verdict>; rubric: string; passAt?: number }): Scorer {
  return defineScorer(
    'llm-judge',
    async ({ case: { input, expected }, result, runAgent }) => {
      const graded = await runAgent(options.judge, judgePrompt(options.rubric, input, expected, result.output));
      if (!graded.value) return { score: 0, note: `the judge gave no verdict (${graded.status})` };
      return { score: graded.value.score, note: graded.value.reason };
    },
    { threshold: options.passAt ?? 0.7 },
  );
}
