import { z } from 'zod';
import { InvalidDefinitionError } from '../errors.ts';

export const askHumanToolName = 'ask_human';

export const askHumanInput = z.object({
  question: z.string().min(1).describe('The question, complete enough to be answered without other context.'),
  choices: z.array(z.string()).optional().describe('Possible answers, when the question has a few.'),
});

/**
 * The built-in tool through which a model asks a person a question. It has no
 * `execute`: the workflow itself records the question and waits — minutes or
 * days, holding no process — for an `answer` signal or update.
 */
export interface AskHumanTool {
  readonly kind: 'ask_human';
  name: typeof askHumanToolName;
  description: string;
  input: typeof askHumanInput;
  /** After this long unanswered, `defaultAnswer` is given. Default: wait forever. */
  timeoutMs?: number;
  defaultAnswer: string;
}

export function askHuman(options: { timeoutMs?: number; defaultAnswer?: string; description?: string } = {}): AskHumanTool {
  if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
    throw new InvalidDefinitionError('askHuman: timeoutMs must be a positive number of milliseconds.');
  }
  return {
    kind: 'ask_human',
    name: askHumanToolName,
    description:
      options.description ??
      'Ask the person you work for a question and wait for the answer. Use it when you need a decision or information only they have; do not use it for things you can find out yourself.',
    input: askHumanInput,
    timeoutMs: options.timeoutMs,
    defaultAnswer: options.defaultAnswer ?? 'No answer came in time; proceed with your best judgement and say what you assumed.',
  };
}
