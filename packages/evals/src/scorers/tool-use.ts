/** Expectations on the tools a run called: which, with what arguments, in what order, how often. */
import type { ToolCallRecord } from '@cairn/core';
import { defineScorer, type Scorer } from '../scorer.ts';

export interface ExpectedCall {
  name: string;
  /** Fields the arguments must have, with these values. */
  arguments?: Record<string, unknown>;
}

export interface ToolUseOptions {
  /** Calls that must be made (each matched by a different call). */
  calls?: ExpectedCall[];
  /** The calls must come in the order given. */
  inOrder?: boolean;
  /** At most this many tool calls in all. */
  atMost?: number;
  /** Tools that must not be called. */
  never?: string[];
}

function matchesCall(call: ToolCallRecord, expected: ExpectedCall): boolean {
  if (call.name !== expected.name) return false;
  if (!expected.arguments) return true;
  let args: Record<string, unknown>;
  try {
    args = JSON.parse(call.arguments) as Record<string, unknown>;
  } catch {
    return false;
  }
  return Object.entries(expected.arguments).every(([key, value]) => JSON.stringify(args?.[key]) === JSON.stringify(value));
}

export function toolUse(options: ToolUseOptions): Scorer {
  return defineScorer('tool-use', ({ record }) => {
    const made = record.turns.flatMap((turn) => turn.toolCalls);
    const problems: string[] = [];
    const expected = options.calls ?? [];
    let from = 0;
    const unused = new Set(made.map((_, index) => index));
    let found = 0;
    for (const want of expected) {
      const candidates = [...unused].filter((index) => (!options.inOrder || index >= from) && matchesCall(made[index]!, want));
      const index = candidates[0];
      if (index === undefined) {
        problems.push(`no ${options.inOrder && found > 0 ? 'later ' : ''}call of ${want.name}${want.arguments ? ` with ${JSON.stringify(want.arguments)}` : ''}`);
        continue;
      }
      unused.delete(index);
      from = index + 1;
      found += 1;
    }
    if (options.atMost !== undefined && made.length > options.atMost) problems.push(`${made.length} calls, more than ${options.atMost}`);
    for (const name of options.never ?? []) if (made.some((call) => call.name === name)) problems.push(`called ${name}`);
    const checks = expected.length + (options.atMost !== undefined ? 1 : 0) + (options.never?.length ?? 0);
    return { score: checks === 0 ? 1 : Math.max(0, (checks - problems.length) / checks), note: problems.join('; ') };
  });
}
