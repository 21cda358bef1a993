import { describe, expect, it } from 'vitest';
import type { Message } from '../messages.ts';
import type { ContextPolicy } from './context-policy.ts';
import { summaryMessage, visibleMessages, wholeConversation } from './context-view.ts';
import { fitContext } from './fit-context.ts';

/** A task, then `turns` turns of one tool call and its 4,000-character result. */
function conversation(turns: number): Message[] {
  const messages: Message[] = [{ role: 'user', content: 'Read every chunk.' }];
  for (let turn = 1; turn <= turns; turn += 1) {
    messages.push({ role: 'assistant', content: '', toolCalls: [{ id: `call-${turn}-1`, name: 'read_chunk', arguments: `{"n":${turn}}` }] });
    messages.push({ role: 'tool', toolCallId: `call-${turn}-1`, toolName: 'read_chunk', content: `chunk ${turn} `.repeat(400), isError: false });
  }
  return messages;
}

/** Four characters a token. */
const measure = async (messages: readonly Message[]) => Math.ceil(messages.reduce((chars, message) => chars + message.content.length + 20, 0) / 4);
const policy: ContextPolicy = { window: 12_000, compactAt: 0.8, compactTo: 0.5, keepRecent: 4, summaryMaxTokens: 500 };

describe('fitContext', () => {
  it('changes nothing while the request is within its share of the window', async () => {
    const messages = conversation(3);
    const fit = await fitContext({ messages, view: wholeConversation, summary: undefined, policy, maxOutputTokens: 1_000, measure });
    expect(fit).toMatchObject({ kind: 'fits', view: wholeConversation });
    if (fit.kind === 'fits') expect(fit.messages).toEqual(messages);
  });

  it('first shows long results older than the kept tail as short references', async () => {
    const messages = conversation(12);
    const fit = await fitContext({ messages, view: wholeConversation, summary: undefined, policy, maxOutputTokens: 1_000, measure });
    expect(fit).toMatchObject({ kind: 'fits', view: { summarizedThrough: 0, elidedThrough: messages.length - 4 } });
    if (fit.kind !== 'fits') return;
    expect(fit.messages).toHaveLength(messages.length);
    expect(fit.messages[2]!.content).toMatch(/^\[Left out to fit the context window: this 3,200-character result of read_chunk, which began "chunk 1 chunk 1/);
    expect(fit.messages.at(-1)).toBe(messages.at(-1));
    expect(fit.measured).toBeLessThanOrEqual(0.5 * 11_000);
  });

  it('asks for a summary of the oldest turns when references are not enough, keeping a whole tail', async () => {
    const messages = conversation(120);
    const fit = await fitContext({ messages, view: wholeConversation, summary: undefined, policy, maxOutputTokens: 1_000, measure });
    expect(fit.kind).toBe('summarize');
    if (fit.kind !== 'summarize') return;
    expect(messages[fit.through]!.role).toBe('assistant');
    expect(messages.length - fit.through).toBeGreaterThanOrEqual(4);

    // Once summarised, the model sees the task, the summary and the tail.
    const view = { ...fit.view, summarizedThrough: fit.through, summaryRef: 'blob' };
    const shown = visibleMessages(messages, view, summaryMessage('Chunks 1-118 read; nothing found yet.'));
    expect(shown[0]).toBe(messages[0]);
    expect(shown[1]!.content).toContain('Chunks 1-118 read');
    expect(shown.slice(2)).toEqual(messages.slice(fit.through));
  });

  it('says so when even the kept tail does not fit', async () => {
    const messages: Message[] = [{ role: 'user', content: 'x'.repeat(60_000) }];
    expect(await fitContext({ messages, view: wholeConversation, summary: undefined, policy, maxOutputTokens: 1_000, measure })).toEqual({ kind: 'too_large', tokens: 15_005, limit: 11_000 });
  });
});
