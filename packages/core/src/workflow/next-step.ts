/**
 * What a model reply means for the run: the turn decision, as a pure function.
 * A reply with tool calls runs them, unless the turn limit is reached; a reply
 * without is the answer, unless it was cut off at the output cap and may be
 * continued; the wrap-up call's reply ends the run whatever it says.
 */
import type { BudgetDimension } from '../budget/budget-ledger.ts';
import type { StopReason } from '../messages.ts';
import { claimedTextNote, type ClaimedAssistantMessage, type ClaimedToolCall } from '../transcript/claim-check.ts';
import type { RunOutcome } from './run-types.ts';

export type NextStep =
  | { kind: 'finish'; outcome: RunOutcome; output: string; outputRef?: string; exhaustedLimit?: BudgetDimension }
  /** Ask the model to go on from where its answer was cut off; `answerSoFar` is prepended to what follows. */
  | { kind: 'continue_answer'; answerSoFar: string }
  | { kind: 'run_tools'; calls: ClaimedToolCall[] };

export interface TurnContext {
  /** The turn this reply made (1-based). */
  turn: number;
  maxTurns: number;
  /** An answer cut off earlier, being continued. */
  answerSoFar: string;
  continuations: number;
  maxContinuations: number;
  /** Set when this reply answered the wrap-up call. */
  wrapUpFor?: BudgetDimension;
  /** Asked only when an answer was cut off (lazily: the answer may decide a `patched` marker). */
  continueCutOffAnswers: () => boolean;
  budgetExhausted: () => boolean;
  /** The best answer there is when the wrap-up reply says nothing. */
  partialResult: (limit: BudgetDimension) => string;
}

export interface TurnDecision {
  step: NextStep;
  /** What the model said this turn, continued answers joined: the run's last words if it ends early. */
  text: string;
}

export function nextStep(reply: { message: ClaimedAssistantMessage; stopReason: StopReason }, context: TurnContext): TurnDecision {
  const { toolCalls, contentRef, contentBytes } = reply.message;
  // A reply too large for history comes by key: the answer is its beginning, a note, and the key.
  const answer = contentRef ? `${reply.message.content}\n\n${claimedTextNote(contentBytes ?? 0, contentRef)}` : reply.message.content;
  const text = toolCalls.length === 0 ? context.answerSoFar + answer : answer;
  const outputRef = context.answerSoFar === '' ? contentRef : undefined;
  const finish = (outcome: RunOutcome, output: string, extra: { outputRef?: string; exhaustedLimit?: BudgetDimension } = {}): TurnDecision => ({
    step: { kind: 'finish', outcome, output, ...(extra.outputRef ? { outputRef: extra.outputRef } : {}), ...(extra.exhaustedLimit ? { exhaustedLimit: extra.exhaustedLimit } : {}) },
    text,
  });

  if (context.wrapUpFor) return finish('budget_exhausted', text || context.partialResult(context.wrapUpFor), { outputRef, exhaustedLimit: context.wrapUpFor });
  if (toolCalls.length === 0) {
    if (reply.stopReason !== 'max_tokens' || !context.continueCutOffAnswers()) return finish('completed', text, { outputRef });
    // Cut off mid-answer: ask for the rest while turns and budget allow, else say it was cut off.
    // An answer already too large for history is not made larger.
    if (contentRef || context.continuations >= context.maxContinuations || context.turn >= context.maxTurns || context.budgetExhausted()) {
      return finish('truncated', text, { outputRef });
    }
    return { step: { kind: 'continue_answer', answerSoFar: text }, text };
  }
  if (context.turn >= context.maxTurns) return finish('max_turns', answer, { outputRef: contentRef });
  return { step: { kind: 'run_tools', calls: toolCalls }, text };
}
