/**
 * Deciding what the next model call shows, before it is made. Within the
 * policy's share of the window, nothing changes (so the provider's prompt cache
 * keeps hitting). Past it, long tool results older than the kept tail become
 * references; if that does not bring the request down far enough, the oldest
 * turns must be summarised, which is a model call of its own (the caller's).
 */
import type { Message } from '../messages.ts';
import { inputLimit, type ContextPolicy } from './context-policy.ts';
import { summaryBoundary, visibleMessages, type ContextView } from './context-view.ts';

export type ContextFit =
  | { kind: 'fits'; view: ContextView; messages: Message[]; measured?: number }
  /** Summarise the messages before `through` (into the view's summary) first. */
  | { kind: 'summarize'; view: ContextView; through: number }
  /** Even the kept tail does not fit: nothing Cairn can leave out would help. */
  | { kind: 'too_large'; tokens: number; limit: number };

export interface FitRequest {
  messages: readonly Message[];
  view: ContextView;
  summary: Message | undefined;
  policy: ContextPolicy;
  maxOutputTokens: number;
  /** Input tokens of a request with these messages, erring high. */
  measure: (messages: readonly Message[]) => Promise<number>;
}

export async function fitContext({ messages, view, summary, policy, maxOutputTokens, measure }: FitRequest): Promise<ContextFit> {
  const limit = inputLimit(policy, maxOutputTokens);
  const shown = visibleMessages(messages, view, summary);
  const size = await measure(shown);
  if (size <= policy.compactAt * limit) return { kind: 'fits', view, messages: shown, measured: size };

  const elided: ContextView = { ...view, elidedThrough: Math.max(view.elidedThrough, messages.length - policy.keepRecent) };
  const shorter = visibleMessages(messages, elided, summary);
  const shorterSize = await measure(shorter);
  if (shorterSize <= policy.compactTo * limit) return { kind: 'fits', view: elided, messages: shorter, measured: shorterSize };

  const through = summaryBoundary(messages, elided, policy.keepRecent);
  if (through !== undefined) return { kind: 'summarize', view: elided, through };
  if (shorterSize > limit) return { kind: 'too_large', tokens: shorterSize, limit };
  return { kind: 'fits', view: elided, messages: shorter, measured: shorterSize };
}
