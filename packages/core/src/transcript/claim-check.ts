/**
 * The claim check for what the model writes. Temporal keeps every activity
 * result in history and refuses any payload over 2 MiB; a model reply of
 * megabytes (or a tool call with megabytes of arguments) would fail the run after
 * the call was paid for. So the model activity returns large parts by key: the
 * whole reply is in the transcript, and each large part is also a blob of its own
 * that the tool activity, the next run or a client reads.
 *
 * Persisted in workflow history: change only by adding optional fields.
 */
import type { AssistantMessage, ToolCall } from '../messages.ts';
import type { BlobStore } from './blob-store.ts';

/** A part of a reply larger than this (in UTF-8 bytes) leaves history. */
export const maxInlineBytes = 32 * 1024;

/** How much of a claimed text stays in history, for status views and partial results. */
const previewChars = 2_000;

export interface ClaimedToolCall extends ToolCall {
  /** Set when the arguments were too large for history: `arguments` is then empty. */
  argumentsRef?: string;
  argumentsBytes?: number;
}

/** An assistant message as the workflow receives it: large parts replaced by their keys. */
export interface ClaimedAssistantMessage extends AssistantMessage {
  /** Set when the text was too large for history: `content` then holds its beginning. */
  contentRef?: string;
  contentBytes?: number;
  toolCalls: ClaimedToolCall[];
}

export async function claimCheckReply(message: AssistantMessage, blobs: BlobStore): Promise<ClaimedAssistantMessage> {
  const claimed: ClaimedAssistantMessage = { ...message, toolCalls: [] };
  const contentBytes = Buffer.byteLength(message.content);
  if (contentBytes > maxInlineBytes) {
    Object.assign(claimed, { content: message.content.slice(0, previewChars), contentRef: await blobs.put(message.content), contentBytes });
  }
  for (const call of message.toolCalls) {
    const argumentsBytes = Buffer.byteLength(call.arguments);
    claimed.toolCalls.push(argumentsBytes > maxInlineBytes ? { ...call, arguments: '', argumentsRef: await blobs.put(call.arguments), argumentsBytes } : call);
  }
  return claimed;
}

/** "3.0 MiB", "48 KiB": sizes in messages to people and models. */
export function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

/** What follows a claimed text's beginning wherever it is shown in place of the whole. */
export function claimedTextNote(bytes: number, ref: string): string {
  return `[… cut here in history: the whole text is ${formatBytes(bytes)}, stored as blob ${ref}.]`;
}
