/**
 * Checks of every signal and update payload a run accepts. Shared by the
 * workflow (which trusts nothing that arrives) and the client (which checks
 * before sending), so the two agree on what is valid.
 *
 * Written out by hand rather than with a schema library: workflow modules are
 * evaluated afresh for every run a worker starts, and building schemas cost
 * more than a whole turn of the loop, for payloads most runs never receive.
 */
import { ApplicationFailure } from '@temporalio/common';
import { payloadRefusal } from '../encryption/rejected-payload.ts';
import type { Amount } from '../budget/budget-ledger.ts';
import type { AnswerInput, DecisionInput } from './human-inbox.ts';

/** Longest answer or reason a person may send inline; larger text belongs in a file the agent reads. */
export const maxAnswerChars = 100_000;
const maxIdChars = 200;

export class InvalidPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPayloadError';
  }
}

type Fields = Record<string, unknown>;

/** Collects what is wrong with a payload, each problem prefixed by its field. */
class Problems {
  readonly list: string[] = [];
  add(field: string | undefined, message: string): void {
    this.list.push(field ? `${field}: ${message}` : message);
  }
}

function fieldsOf(value: unknown, problems: Problems): Fields {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Fields;
  problems.add(undefined, `expected an object, received ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  return {};
}

function id(fields: Fields, field: string, problems: Problems): string {
  const value = fields[field];
  if (typeof value !== 'string') problems.add(field, 'the id must be text');
  else if (value.trim() === '') problems.add(field, 'the id is empty');
  else if (value.trim().length > maxIdChars) problems.add(field, `the id is longer than ${maxIdChars} characters`);
  return typeof value === 'string' ? value.trim() : '';
}

function optionalText(fields: Fields, field: string, what: string, problems: Problems): string | undefined {
  const value = fields[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') problems.add(field, `${what} must be text`);
  else if (value.length > maxAnswerChars) problems.add(field, `${what} is longer than ${maxAnswerChars} characters`);
  return typeof value === 'string' ? value : undefined;
}

/** What a person's name may be (a console token's name): it is recorded in history and printed in terminals. */
export const personNamePattern = /^[\w.@-]{1,64}$/;

/** Who answered or decided (a console token's name): recorded with the answer, in history. */
function person(fields: Fields, problems: Problems): string | undefined {
  const value = fields.person;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !personNamePattern.test(value)) problems.add('person', 'the name must be 1-64 letters, digits or . _ @ -');
  return typeof value === 'string' ? value : undefined;
}

/** Edited arguments travel in history (the signal or update) and to the tool again: the same bound as an answer. */
function editedArguments(fields: Fields, problems: Problems): unknown {
  const value = fields.arguments;
  if (value !== undefined && (JSON.stringify(value)?.length ?? 0) > maxAnswerChars) problems.add('arguments', `the edited arguments are longer than ${maxAnswerChars} characters as JSON`);
  return value;
}

/** The payload, checked; otherwise an InvalidPayloadError whose one-line message names what was wrong. */
function parsePayload<T>(value: unknown, what: string, read: (fields: Fields, problems: Problems) => T): T {
  const refusal = payloadRefusal(value);
  if (refusal) throw new InvalidPayloadError(`Invalid ${what}: ${refusal}`);
  const problems = new Problems();
  const fields = fieldsOf(value, problems);
  const parsed = problems.list.length === 0 ? read(fields, problems) : undefined;
  if (problems.list.length > 0) throw new InvalidPayloadError(`Invalid ${what}: ${problems.list.join('; ')}.`);
  return parsed as T;
}

export const parseAnswer = (value: unknown): AnswerInput =>
  parsePayload(value, 'answer', (fields, problems) => {
    const questionId = id(fields, 'questionId', problems);
    const answer = fields.answer;
    if (typeof answer !== 'string') problems.add('answer', 'the answer must be text');
    else if (answer.trim() === '') problems.add('answer', 'the answer is empty');
    else if (answer.trim().length > maxAnswerChars) problems.add('answer', `the answer is longer than ${maxAnswerChars} characters`);
    const who = person(fields, problems);
    return { questionId, answer: typeof answer === 'string' ? answer.trim() : '', ...(who ? { person: who } : {}) };
  });

export const parseDecision = (value: unknown): DecisionInput =>
  parsePayload(value, 'approval decision', (fields, problems) => {
    const callId = id(fields, 'callId', problems);
    if (typeof fields.approved !== 'boolean') problems.add('approved', 'approved must be true or false');
    const edited = editedArguments(fields, problems);
    const reason = optionalText(fields, 'reason', 'the reason', problems);
    const who = person(fields, problems);
    return { callId, approved: fields.approved === true, ...(edited !== undefined ? { arguments: edited } : {}), ...(reason !== undefined ? { reason } : {}), ...(who ? { person: who } : {}) };
  });

export const parseApproval = (value: unknown): { callId: string; arguments?: unknown } =>
  parsePayload(value, 'approval', (fields, problems) => {
    const callId = id(fields, 'callId', problems);
    const edited = editedArguments(fields, problems);
    return { callId, ...(edited !== undefined ? { arguments: edited } : {}) };
  });

export const parseDenial = (value: unknown): { callId: string; reason?: string } =>
  parsePayload(value, 'denial', (fields, problems) => {
    const callId = id(fields, 'callId', problems);
    const reason = optionalText(fields, 'reason', 'the reason', problems);
    return { callId, ...(reason !== undefined ? { reason } : {}) };
  });

const amountLimits = { tokens: { max: 1e12, whole: true }, usd: { max: 1e6, whole: false }, turns: { max: 1e6, whole: true }, toolCalls: { max: 1e6, whole: true } } as const;

export const parseAmount = (value: unknown): Amount =>
  parsePayload(value, 'budget top-up', (fields, problems) => {
    const amount: Amount = {};
    for (const key of Object.keys(fields)) if (!(key in amountLimits)) problems.add(undefined, `Unrecognized key: "${key}"`);
    for (const [key, { max, whole }] of Object.entries(amountLimits) as [keyof typeof amountLimits, { max: number; whole: boolean }][]) {
      const given = fields[key];
      if (given === undefined) continue;
      if (typeof given !== 'number' || Number.isNaN(given)) problems.add(key, `${key} must be a number`);
      else if (!Number.isFinite(given)) problems.add(key, `${key} must be a finite number`);
      else if (given <= 0) problems.add(key, `${key} must be more than 0`);
      else if (given > max) problems.add(key, `${key} must be at most ${max}`);
      else if (whole && !Number.isInteger(given)) problems.add(key, `${key} must be a whole number`);
      else amount[key] = given;
    }
    if (problems.list.length === 0 && Object.keys(amount).length === 0) problems.add(undefined, 'name at least one of tokens, usd, turns, toolCalls');
    return amount;
  });

/**
 * A run whose input the codec refused (it was started without the stack's
 * encryption key) fails at once, before it resolves an agent or calls a model.
 */
export function refuseForgedInput(input: unknown): void {
  const refusal = payloadRefusal(input);
  if (refusal) throw ApplicationFailure.nonRetryable(`${refusal} This run was not started by a client holding the stack's encryption key, so it does nothing.`, 'PayloadRefused');
}
