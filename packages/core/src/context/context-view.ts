/**
 * What the model sees of a conversation that no longer fits its context window.
 * The transcript keeps every message; a `ContextView` says how much of it is
 * shown as is. Older tool results are shown as a short reference, and the oldest
 * turns as a summary written by the model. The view travels in the model
 * activity's input and output, so it is recorded in history: a replay, a rewind
 * or another worker shows the model the same conversation.
 *
 * Persisted in workflow history: change only by adding optional fields.
 */
import type { Message, ToolResultMessage } from '../messages.ts';

export interface ContextView {
  /** Messages before this index (the first, the task, aside) are replaced by the summary. */
  summarizedThrough: number;
  /** Blob key of the summary of those messages. */
  summaryRef?: string;
  /** Long tool results before this index are shown as a short reference. */
  elidedThrough: number;
}

export const wholeConversation: ContextView = { summarizedThrough: 0, elidedThrough: 0 };

/** A result shorter than this is cheaper to show than to refer to. */
const elideAbove = 1_000;
const previewChars = 200;

/** The same elided message for the same result: token counts are cached per message object. */
const elided = new WeakMap<Message, ToolResultMessage>();

function elide(message: ToolResultMessage): ToolResultMessage {
  let short = elided.get(message);
  if (!short) {
    const preview = message.content.slice(0, previewChars).replace(/\s+/g, ' ');
    short = {
      ...message,
      content: `[Left out to fit the context window: this ${message.content.length.toLocaleString('en-US')}-character result of ${message.toolName}, which began "${preview}…". Call the tool again if you need it.]`,
    };
    elided.set(message, short);
  }
  return short;
}

/** The message that stands for the summarised turns. */
export function summaryMessage(summary: string): Message {
  return { role: 'user', content: `[Summary of the earlier part of this conversation, left out to fit the context window]\n${summary}` };
}

/** The messages the model is shown: the task, the summary, then the rest with old long results elided. */
export function visibleMessages(messages: readonly Message[], view: ContextView, summary: Message | undefined): Message[] {
  if (view.summarizedThrough === 0 && view.elidedThrough === 0) return [...messages];
  const start = Math.max(1, view.summarizedThrough);
  const shown: Message[] = messages.slice(0, 1);
  if (summary && view.summarizedThrough > 0) shown.push(summary);
  for (let index = start; index < messages.length; index += 1) {
    const message = messages[index]!;
    shown.push(index < view.elidedThrough && message.role === 'tool' && message.content.length > elideAbove ? elide(message) : message);
  }
  return shown;
}

/**
 * Where the kept tail begins when older turns are summarised: an assistant
 * message at least `keepRecent` from the end, so a tool call is never kept
 * without its result or the other way round. Undefined when there is nothing
 * (new) to summarise.
 */
export function summaryBoundary(messages: readonly Message[], view: ContextView, keepRecent: number): number | undefined {
  for (let index = messages.length - keepRecent; index > Math.max(1, view.summarizedThrough); index -= 1) {
    if (messages[index]?.role === 'assistant') return index;
  }
  return undefined;
}
