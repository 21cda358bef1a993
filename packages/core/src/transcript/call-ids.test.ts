import { describe, expect, it } from 'vitest';
import type { AssistantMessage, Message } from '../messages.ts';
import { assignCallIds, toProviderIds } from './call-ids.ts';

const reply = (...ids: string[]): AssistantMessage => ({
  role: 'assistant',
  content: '',
  toolCalls: ids.map((id, index) => ({ id, name: 'transfer', arguments: `{"n":${index}}` })),
});

describe('assignCallIds', () => {
  it('names calls by turn and position and keeps the model’s own id for talking back', () => {
    expect(assignCallIds(reply('call_a', 'call_b'), 3).toolCalls).toEqual([
      { id: 'call-3-1', providerId: 'call_a', name: 'transfer', arguments: '{"n":0}' },
      { id: 'call-3-2', providerId: 'call_b', name: 'transfer', arguments: '{"n":1}' },
    ]);
  });

  it('gives ids that a model reuses on every turn different Cairn ids', () => {
    const first = assignCallIds(reply('call_1'), 1).toolCalls[0]!;
    const second = assignCallIds(reply('call_1'), 2).toolCalls[0]!;
    expect(first.id).not.toBe(second.id);
    expect([first.providerId, second.providerId]).toEqual(['call_1', 'call_1']);
  });

  it('drops a missing id, or one repeated within a reply, so the model is answered under Cairn’s ids', () => {
    expect(assignCallIds(reply('', 'dup', 'dup', 'ok'), 7).toolCalls.map(({ id, providerId }) => ({ id, providerId }))).toEqual([
      { id: 'call-7-1', providerId: undefined },
      { id: 'call-7-2', providerId: undefined },
      { id: 'call-7-3', providerId: undefined },
      { id: 'call-7-4', providerId: 'ok' },
    ]);
  });

  it('is deterministic: a retried call gets the same ids', () => {
    expect(assignCallIds(reply('x', ''), 4)).toEqual(assignCallIds(reply('x', ''), 4));
  });
});

describe('toProviderIds', () => {
  it('pairs each result with its call under the id the model knows, turn by turn', () => {
    const messages: Message[] = [
      { role: 'user', content: 'Pay them.' },
      assignCallIds(reply('call_1', ''), 1),
      { role: 'tool', toolCallId: 'call-1-1', toolName: 'transfer', content: 'ok', isError: false },
      { role: 'tool', toolCallId: 'call-1-2', toolName: 'transfer', content: 'ok', isError: false },
      assignCallIds(reply('call_1'), 2),
      { role: 'tool', toolCallId: 'call-2-1', toolName: 'transfer', content: 'ok', isError: false },
    ];
    const wire = toProviderIds(messages);
    expect((wire[1] as AssistantMessage).toolCalls.map((call) => call.id)).toEqual(['call_1', 'call-1-2']);
    expect(wire.filter((message) => message.role === 'tool').map((message) => message.toolCallId)).toEqual(['call_1', 'call-1-2', 'call_1']);
    expect((wire[1] as AssistantMessage).toolCalls[0]).not.toHaveProperty('providerId');
  });

  it('leaves transcripts written before Cairn named calls as they are', () => {
    const old: Message[] = [reply('call_x'), { role: 'tool', toolCallId: 'call_x', toolName: 'transfer', content: 'ok', isError: false }];
    expect(toProviderIds(old)).toEqual(old);
  });
});
