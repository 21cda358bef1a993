/**
 * Schemas of every signal and update payload a run accepts. Shared by the
 * workflow (which trusts nothing that arrives) and the client (which checks
 * before sending), so the two agree on what is valid. Deterministic: zod only.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { payloadRefusal } from '../encryption/rejected-payload.ts';
import type { Amount } from '../budget/budget-ledger.ts';
import type { AnswerInput, DecisionInput } from './human-inbox.ts';

/** Longest answer or reason a person may send inline; larger text belongs in a file the agent reads. */
export const maxAnswerChars = 100_000;
const id = z.string().trim().min(1, 'the id is empty').max(200, 'the id is longer than 200 characters');
const reason = z.string().max(maxAnswerChars, `the reason is longer than ${maxAnswerChars} characters`);
/** Edited arguments travel in history (the signal or update) and to the tool again: the same bound as an answer. */
const editedArguments = z
  .unknown()
  .optional()
  .refine((value) => value === undefined || (JSON.stringify(value)?.length ?? 0) <= maxAnswerChars, `the edited arguments are longer than ${maxAnswerChars} characters as JSON`);

export const answerPayload = z.object({
  questionId: id,
  answer: z.string().trim().min(1, 'the answer is empty').max(maxAnswerChars, `the answer is longer than ${maxAnswerChars} characters`),
});

export const decisionPayload = z.object({
  callId: id,
  approved: z.boolean({ error: 'approved must be true or false' }),
  arguments: editedArguments,
  reason: reason.optional(),
});

export const approvePayload = z.object({ callId: id, arguments: editedArguments });
export const denyPayload = z.object({ callId: id, reason: reason.optional() });

const positive = (what: string, max: number) =>
  z.number({ error: `${what} must be a number` }).finite().positive(`${what} must be more than 0`).max(max, `${what} must be at most ${max}`);

export const amountPayload = z
  .object({
    tokens: positive('tokens', 1e12).int('tokens must be a whole number').optional(),
    usd: positive('usd', 1e6).optional(),
    turns: positive('turns', 1e6).int('turns must be a whole number').optional(),
    toolCalls: positive('toolCalls', 1e6).int('toolCalls must be a whole number').optional(),
  })
  .strict()
  .refine((amount) => Object.values(amount).some((value) => value !== undefined), 'name at least one of tokens, usd, turns, toolCalls');

export class InvalidPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPayloadError';
  }
}

/** The payload, checked; otherwise an InvalidPayloadError whose one-line message names what was wrong. */
export function parsePayload<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const refusal = payloadRefusal(value);
  if (refusal) throw new InvalidPayloadError(`Invalid ${what}: ${refusal}`);
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message));
  throw new InvalidPayloadError(`Invalid ${what}: ${problems.join('; ')}.`);
}

export const parseAnswer = (value: unknown): AnswerInput => parsePayload(answerPayload, value, 'answer');
export const parseDecision = (value: unknown): DecisionInput => parsePayload(decisionPayload, value, 'approval decision');
export const parseAmount = (value: unknown): Amount => parsePayload(amountPayload, value, 'budget top-up');

/**
 * A run whose input the codec refused (it was started without the stack's
 * encryption key) fails at once, before it resolves an agent or calls a model.
 */
export function refuseForgedInput(input: unknown): void {
  const refusal = payloadRefusal(input);
  if (refusal) throw ApplicationFailure.nonRetryable(`${refusal} This run was not started by a client holding the stack's encryption key, so it does nothing.`, 'PayloadRefused');
}
