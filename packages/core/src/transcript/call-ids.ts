import type { AssistantMessage, Message } from '../messages.ts';

/**
 * Cairn names every tool call itself, from the turn and the call's position:
 * `call-<turn>-<n>`. Models reuse ids (`call_1` on every turn), repeat them
 * within one reply, or send none, and every key that must be unique in a run —
 * idempotency keys, questions, approvals, child workflow ids — derives from this
 * id. The model's own id is kept as `providerId` only to talk back to the model.
 *
 * Deterministic: a retried or replayed call gets the same ids.
 */
export function assignCallIds(message: AssistantMessage, turn: number): AssistantMessage {
  const seen = new Map<string, number>();
  for (const call of message.toolCalls) seen.set(call.id, (seen.get(call.id) ?? 0) + 1);
  return {
    ...message,
    toolCalls: message.toolCalls.map((call, index) => {
      const id = `call-${turn}-${index + 1}`;
      // An id the model sent twice in one reply cannot pair results: the model then sees Cairn's.
      const usable = call.id.trim() !== '' && seen.get(call.id) === 1;
      return usable ? { ...call, id, providerId: call.id } : { ...call, id };
    }),
  };
}

/**
 * The conversation as the model must see it: each call under the id the model
 * gave it (or Cairn's, where it gave none usable), and each result paired with
 * its call under the same id. Pure; transcripts stay in Cairn's ids.
 */
export function toProviderIds(messages: readonly Message[]): Message[] {
  let wireIds = new Map<string, string>();
  return messages.map((message) => {
    if (message.role === 'assistant') {
      if (!message.toolCalls.some((call) => call.providerId !== undefined)) {
        wireIds = new Map();
        return message;
      }
      wireIds = new Map(message.toolCalls.map((call) => [call.id, call.providerId ?? call.id]));
      return { ...message, toolCalls: message.toolCalls.map(({ providerId, ...call }) => ({ ...call, id: providerId ?? call.id })) };
    }
    if (message.role === 'tool') {
      const wireId = wireIds.get(message.toolCallId);
      return wireId === undefined ? message : { ...message, toolCallId: wireId };
    }
    return message;
  });
}
