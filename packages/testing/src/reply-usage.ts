import type { MockRequest, ScriptedReply, ScriptedStopReason } from './scripted-reply.ts';

/**
 * Token counts for a reply: the scripted ones, else an estimate at about four
 * characters a token. Estimates are deterministic and never 0, so budget tests can
 * rely on "some tokens were spent" without scripting every count.
 */
export function resolveUsage(reply: ScriptedReply, request: MockRequest): { inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteInputTokens: number } {
  const cachedInputTokens = reply.usage?.cachedInputTokens ?? 0;
  const cacheWriteInputTokens = reply.usage?.cacheWriteInputTokens ?? 0;
  return {
    inputTokens: reply.usage?.inputTokens ?? Math.max(estimateTokens(requestText(request)), cachedInputTokens + cacheWriteInputTokens),
    outputTokens: reply.usage?.outputTokens ?? estimateTokens(replyText(reply)),
    cachedInputTokens,
    cacheWriteInputTokens,
  };
}

export function resolveStopReason(reply: ScriptedReply): ScriptedStopReason {
  return reply.stopReason ?? ((reply.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'end_turn');
}

export function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function requestText(request: MockRequest): string {
  const parts = [request.system];
  for (const message of request.messages) {
    parts.push(message.content);
    if (message.role === 'assistant') for (const call of message.toolCalls) parts.push(call.name, call.arguments);
  }
  return parts.join('');
}

function replyText(reply: ScriptedReply): string {
  const parts = [reply.text ?? ''];
  for (const call of reply.toolCalls ?? []) {
    parts.push(call.name, typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments));
  }
  return parts.join('');
}
