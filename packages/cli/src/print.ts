import pc from 'picocolors';
import { isCairnError } from '@cairn/core/errors';
import { redact } from '@cairn/core/redact';

/** One clear line, a hint when there is one, and never a stack unless CAIRN_DEBUG is set. */
export function printError(error: unknown): void {
  console.error(`${pc.red('error')} ${redact(describeError(error))}`);
  if (isCairnError(error) && error.hint) console.error(`${pc.dim('hint')}  ${redact(error.hint)}`);
  if (process.env.CAIRN_DEBUG && error instanceof Error) console.error(error.stack);
}

/**
 * A Cairn error's message is written to be read. Others (the Temporal SDK's "Failed to
 * list workflows") say what failed but not why: add the innermost cause's message.
 */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (isCairnError(error)) return error.message;
  let innermost: Error = error;
  while (innermost.cause instanceof Error) innermost = innermost.cause;
  return innermost === error ? error.message : `${error.message}: ${innermost.message}`;
}

/**
 * Text from a model, a tool or a signal, fit for a terminal: escape sequences
 * and other control characters (which could move the cursor, rewrite what was
 * printed, or retitle the window) are dropped; line breaks and tabs stay.
 */
export function terminalSafe(text: string): string {
  return text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?/g, '')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

export function formatTokens(count: number): string {
  if (count >= 1_000_000) return `${(count / 1_000_000).toFixed(2)}M`;
  if (count >= 10_000) return `${Math.round(count / 1000)}k`;
  return String(count);
}

export const dim = pc.dim;
export const bold = pc.bold;
export const green = pc.green;
export const yellow = pc.yellow;
export const red = pc.red;
export const cyan = pc.cyan;
