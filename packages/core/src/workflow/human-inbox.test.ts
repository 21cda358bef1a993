import { describe, expect, it } from 'vitest';
import { HumanInbox } from './human-inbox.ts';

describe('HumanInbox', () => {
  const question = { kind: 'question' as const, id: 'call_1', question: 'Which year?', askedAt: 0 };
  const approval = { kind: 'approval' as const, id: 'call_2', tool: 'send_email', arguments: { to: 'a@b.c' }, askedAt: 0 };

  it('resolves a pending question once, and rejects a second answer', () => {
    const inbox = new HumanInbox();
    inbox.add(question);
    inbox.answer({ questionId: 'call_1', answer: '2024' });
    expect(inbox.resolution('call_1')).toEqual({ kind: 'answer', answer: '2024', by: 'human' });
    expect(inbox.pending).toEqual([]);
    expect(() => inbox.answer({ questionId: 'call_1', answer: '2025' })).toThrow("The question 'call_1' was already resolved.");
  });

  it('names what is pending when an id is wrong', () => {
    const inbox = new HumanInbox();
    inbox.add(question);
    inbox.add(approval);
    expect(() => inbox.answer({ questionId: 'call_9', answer: 'x' })).toThrow("No question 'call_9' is pending. Pending: call_1.");
    expect(() => inbox.answer({ questionId: 'call_2', answer: 'x' })).toThrow("No question 'call_2' is pending. Pending: call_1.");
    expect(() => inbox.decide({ callId: 'call_1', approved: true })).toThrow("No approval 'call_1' is pending. Pending: call_2.");
    expect(inbox.pending).toHaveLength(2);
  });

  it('says so when nothing is pending, and rejects empty answers', () => {
    const inbox = new HumanInbox();
    expect(() => inbox.decide({ callId: 'x', approved: false })).toThrow('this run is not waiting for any approval');
    inbox.add(question);
    expect(() => inbox.answer({ questionId: 'call_1', answer: '  ' })).toThrow('The answer is empty.');
  });

  it('records decisions with edited arguments or a reason', () => {
    const inbox = new HumanInbox();
    inbox.add(approval);
    inbox.decide({ callId: 'call_2', approved: true, arguments: { to: 'x@y.z' } });
    expect(inbox.resolution('call_2')).toEqual({ kind: 'decision', approved: true, arguments: { to: 'x@y.z' }, reason: undefined, by: 'human' });
  });
});
