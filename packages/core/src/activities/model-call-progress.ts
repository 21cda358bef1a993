/**
 * What a streaming model call publishes in its heartbeats (`ModelCallProgress`), read
 * back by whoever needs it: a client showing the text as it is written, and a retry
 * counting what a cut-off attempt was billed for. Heartbeat details come from outside
 * the workflow's own code, so they are checked like any input.
 */
import type { ModelCallProgress } from '../activity-contract.ts';
import { addUsage, zeroUsage, type TokenUsage } from '../messages.ts';

/** Output tokens of text whose count no provider reported: about four characters a token. */
const charsPerToken = 4;

/** Heartbeat details as a streaming call's progress, if that is what they are; anything else is ignored. */
export function parseModelCallProgress(details: unknown): ModelCallProgress | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const { chars, tail, inputTokens, interrupted } = details as Record<string, unknown>;
  if (typeof chars !== 'number' || !(chars >= 0) || typeof tail !== 'string') return undefined;
  const { turn } = details as Record<string, unknown>;
  return {
    ...(typeof turn === 'number' && Number.isInteger(turn) ? { turn } : {}),
    chars,
    tail,
    ...(typeof inputTokens === 'number' && inputTokens >= 0 ? { inputTokens } : {}),
    ...(isUsage(interrupted) ? { interrupted } : {}),
  };
}

/**
 * What all earlier attempts were billed for: each cut-off stream's input (as the provider
 * reported it, else `estimatedInputTokens`) and the text it had written. An attempt that
 * wrote nothing may have failed before the provider billed anything, and adds nothing.
 */
export function interruptedUsage(previous: ModelCallProgress, estimatedInputTokens: number): TokenUsage {
  const before = previous.interrupted ?? zeroUsage();
  if (previous.chars === 0 && previous.inputTokens === undefined) return before;
  return addUsage(before, { inputTokens: previous.inputTokens ?? estimatedInputTokens, outputTokens: Math.ceil(previous.chars / charsPerToken), cachedInputTokens: 0 });
}

function isUsage(value: unknown): value is TokenUsage {
  if (typeof value !== 'object' || value === null) return false;
  const { inputTokens, outputTokens, cachedInputTokens } = value as Record<string, unknown>;
  return [inputTokens, outputTokens, cachedInputTokens].every((count) => typeof count === 'number' && count >= 0);
}
