/**
 * The names by which clients talk to a running agent workflow. Shared by the
 * workflow (handlers) and the client (senders), so the two cannot drift.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AnswerInput, DecisionInput } from './human-inbox.ts';
import type { RunStatus } from './run-types.ts';
import type { Amount } from '../budget/budget-ledger.ts';

export const statusQuery = defineQuery<RunStatus>('status');

/** Fire-and-forget forms: accepted even while no worker runs; a wrong id is recorded in `status.rejected`. */
export const answerSignal = defineSignal<[AnswerInput]>('answer');
export const approveSignal = defineSignal<[{ callId: string; arguments?: unknown }]>('approve');
export const denySignal = defineSignal<[{ callId: string; reason?: string }]>('deny');

/** Checked forms: a wrong or already-resolved id is rejected back to the caller. */
export const answerUpdate = defineUpdate<void, [AnswerInput]>('answerQuestion');
export const decideUpdate = defineUpdate<void, [DecisionInput]>('decideApproval');

/** A person tops the run's budget up: `{ tokens }`, `{ usd }` or both. */
export const addBudgetSignal = defineSignal<[Amount]>('addBudget');
