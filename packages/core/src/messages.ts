/**
 * The provider-neutral conversation format. Every model adapter translates from
 * and to this shape; the workflow and the transcript store only ever see it.
 * Plain data only: messages are serialised into the transcript store.
 */

export interface UserMessage {
  role: 'user';
  content: string;
}

export interface ToolCall {
  /**
   * Cairn's id for this call (`call-<turn>-<n>`), unique in its run; tool results
   * refer back to it. An adapter's reply carries the provider's id here until the
   * model activity renames the calls (`transcript/call-ids.ts`).
   */
  id: string;
  /** The model's own id, kept only to talk back to the model; absent when it sent none usable. */
  providerId?: string;
  name: string;
  /**
   * The arguments exactly as the model produced them (a JSON string). Kept raw
   * so that malformed JSON reaches the tool activity and goes back to the model
   * as a validation error instead of failing inside the adapter.
   */
  arguments: string;
}

export interface AssistantMessage {
  role: 'assistant';
  content: string;
  toolCalls: ToolCall[];
}

export interface ToolResultMessage {
  role: 'tool';
  toolCallId: string;
  toolName: string;
  content: string;
  isError: boolean;
}

export type Message = UserMessage | AssistantMessage | ToolResultMessage;

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the provider's prompt cache (a subset of inputTokens). */
  cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (a subset of inputTokens; Anthropic charges them dearer). */
  cacheWriteInputTokens?: number;
}

export type StopReason = 'end_turn' | 'tool_calls' | 'max_tokens' | 'content_filter' | 'other';

export const zeroUsage = (): TokenUsage => ({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });

export function addUsage(a: TokenUsage, b: TokenUsage): TokenUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    // Only where a provider reported writes: usage recorded before they were counted keeps its shape.
    ...(a.cacheWriteInputTokens !== undefined || b.cacheWriteInputTokens !== undefined ? { cacheWriteInputTokens: (a.cacheWriteInputTokens ?? 0) + (b.cacheWriteInputTokens ?? 0) } : {}),
  };
}
