import { describe, expect, it } from 'vitest';
import type { StopReason } from '../messages.ts';
import type { ClaimedAssistantMessage } from '../transcript/claim-check.ts';
import { nextStep, type TurnContext } from './next-step.ts';

const context = (overrides: Partial<TurnContext> = {}): TurnContext => ({
  turn: 1,
  maxTurns: 10,
  answerSoFar: '',
  continuations: 0,
  maxContinuations: 2,
  continueCutOffAnswers: () => true,
  budgetExhausted: () => false,
  partialResult: (limit) => `[partial: ${limit}]`,
  ...overrides,
});
const reply = (message: Partial<ClaimedAssistantMessage>, stopReason: StopReason = 'end_turn') => ({
  message: { role: 'assistant' as const, content: '', toolCalls: [], ...message },
  stopReason,
});
const lookup = { id: 'call-1-1', name: 'lookup', arguments: '{"word":"cairn"}' };

describe('the turn decision', () => {
  it('an answer without tool calls completes the run', () => {
    expect(nextStep(reply({ content: 'A pile of stones.' }), context())).toEqual({
      step: { kind: 'finish', outcome: 'completed', output: 'A pile of stones.' },
      text: 'A pile of stones.',
    });
  });

  it('tool calls run, until the turn limit', () => {
    expect(nextStep(reply({ content: 'Looking.', toolCalls: [lookup] }, 'tool_calls'), context()).step).toEqual({ kind: 'run_tools', calls: [lookup] });
    expect(nextStep(reply({ content: 'Looking.', toolCalls: [lookup] }, 'tool_calls'), context({ turn: 10 })).step).toEqual({ kind: 'finish', outcome: 'max_turns', output: 'Looking.' });
  });

  it('an answer cut off at the output cap is continued, and the parts are joined', () => {
    const first = nextStep(reply({ content: 'A cairn is a pile' }, 'max_tokens'), context());
    expect(first.step).toEqual({ kind: 'continue_answer', answerSoFar: 'A cairn is a pile' });
    const second = nextStep(reply({ content: ' of stones.' }), context({ turn: 2, answerSoFar: 'A cairn is a pile', continuations: 1 }));
    expect(second.step).toEqual({ kind: 'finish', outcome: 'completed', output: 'A cairn is a pile of stones.' });
  });

  it.each([
    ['continuations are used up', { continuations: 2 }],
    ['the turn limit is reached', { turn: 10 }],
    ['the budget is exhausted', { budgetExhausted: () => true }],
  ])('a cut-off answer ends the run as truncated when %s', (_why, overrides) => {
    expect(nextStep(reply({ content: 'A cairn is a pile' }, 'max_tokens'), context(overrides)).step).toEqual({ kind: 'finish', outcome: 'truncated', output: 'A cairn is a pile' });
  });

  it('does not ask whether to continue unless the answer was cut off (that question may record a patch marker)', () => {
    let asked = 0;
    const counting = context({ continueCutOffAnswers: () => (asked += 1) > 0 });
    nextStep(reply({ content: 'Done.' }), counting);
    nextStep(reply({ content: 'Looking.', toolCalls: [lookup] }, 'max_tokens'), counting);
    expect(asked).toBe(0);
    nextStep(reply({ content: 'Cut' }, 'max_tokens'), counting);
    expect(asked).toBe(1);
  });

  it('a history that predates continuing cut-off answers completes with what there is', () => {
    expect(nextStep(reply({ content: 'A cairn is a pile' }, 'max_tokens'), context({ continueCutOffAnswers: () => false })).step).toMatchObject({ outcome: 'completed' });
  });

  it('the wrap-up reply ends the run as budget_exhausted, with the best partial result when it says nothing', () => {
    expect(nextStep(reply({ content: 'What I have.' }), context({ wrapUpFor: 'tokens' })).step).toEqual({ kind: 'finish', outcome: 'budget_exhausted', output: 'What I have.', exhaustedLimit: 'tokens' });
    expect(nextStep(reply({ content: '' }), context({ wrapUpFor: 'usd' })).step).toEqual({ kind: 'finish', outcome: 'budget_exhausted', output: '[partial: usd]', exhaustedLimit: 'usd' });
  });

  it('an answer too large for history ends with its key, and is never continued', () => {
    const ref = 'a'.repeat(64);
    const decision = nextStep(reply({ content: 'The beginning', contentRef: ref, contentBytes: 3 * 1024 * 1024 }, 'max_tokens'), context());
    expect(decision.step).toEqual({ kind: 'finish', outcome: 'truncated', output: `The beginning\n\n[… cut here in history: the whole text is 3.0 MiB, stored as blob ${ref}.]`, outputRef: ref });
  });
});
