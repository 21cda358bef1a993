/**
 * What the Temporal Web UI shows of a run, so that a link to a run reads as its
 * audit trail: a one-line summary on every activity (the tool and its
 * arguments; the model and the turn), a static summary and details on every run,
 * and current details that say what the run is doing now. Deterministic: the
 * workflow calls these, and so does the client that starts a run.
 */
import type { ClaimedToolCall } from '../transcript/claim-check.ts';
import { formatBytes } from '../transcript/claim-check.ts';
import type { BudgetStatus } from './run-budget.ts';
import type { PendingItem } from './human-inbox.ts';
import type { RunState } from './run-types.ts';

const summaryChars = 120;

/** One line, at most `max` characters: newlines and runs of spaces folded, the cut marked. */
export function oneLine(text: string, max = summaryChars): string {
  const folded = text.replace(/\s+/g, ' ').trim();
  return folded.length <= max ? folded : `${folded.slice(0, max - 1)}…`;
}

export function modelCallSummary(model: string, turn: number, wrapUp: boolean): string {
  return `${model} · turn ${turn}${wrapUp ? ' · wrap-up (no tools)' : ''}`;
}

export function toolCallSummary(call: Pick<ClaimedToolCall, 'name' | 'arguments' | 'argumentsBytes' | 'argumentsRef'>): string {
  const args = call.argumentsRef ? `… ${formatBytes(call.argumentsBytes ?? 0)} of arguments` : call.arguments;
  return oneLine(`${call.name} ${args}`);
}

/** The run's static summary: its agent and what it was asked. */
export function runSummary(agent: string, input: string): string {
  return oneLine(`${agent}: ${input}`);
}

/** The run's static details, in Temporal's markdown: what does not change while it runs. */
export function runDetails(details: { agent: string; model?: string; budget?: Record<string, number | undefined>; parentRunId?: string; taskQueue?: string }): string {
  const budget = Object.entries(details.budget ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([dimension, value]) => `${dimension} ${dimension === 'usd' ? `$${value}` : withThousands(value!)}`);
  return [
    `**Agent** ${details.agent}`,
    details.model ? `**Model** ${details.model}` : undefined,
    budget.length > 0 ? `**Budget** ${budget.join(', ')}` : undefined,
    details.parentRunId ? `**Parent run** ${details.parentRunId}` : undefined,
    details.taskQueue ? `**Task queue** ${details.taskQueue}` : undefined,
  ]
    .filter((line): line is string => line !== undefined)
    .join('\n\n');
}

/** The run's current details: what it is doing or waiting for, and how much of its budget is used. */
export function currentDetails(now: { state: RunState; turn: number; model?: string; pending: readonly PendingItem[]; budget?: BudgetStatus }): string {
  const doing = (() => {
    switch (now.state) {
      case 'calling_model':
        return `Calling ${now.model ?? 'the model'} (turn ${now.turn + 1})`;
      case 'wrapping_up':
        return `Writing its final answer within what is left of the budget (turn ${now.turn + 1})`;
      case 'running_tools':
        return `Running the tool calls of turn ${now.turn}`;
      case 'waiting_for_human': {
        const waits = now.pending.map((item) => {
          if (item.kind === 'question') return `an answer to "${oneLine(item.question, 80)}"`;
          const call = oneLine(`${item.tool} ${JSON.stringify(item.arguments) ?? ''}`, 80);
          return item.kind === 'approval' ? `approval of ${call}` : `the result of ${call} (asynchronous)`;
        });
        return `Waiting for ${waits.join(' and ') || 'a person'}`;
      }
      default:
        return now.state === 'starting' ? 'Starting' : `Ended: ${now.state.replace(/_/g, ' ')}`;
    }
  })();
  const used = now.budget ? budgetUsed(now.budget) : '';
  return used ? `${doing}\n\n**Budget used** ${used}` : doing;
}

function budgetUsed(budget: BudgetStatus): string {
  const parts: string[] = [];
  parts.push(`${withThousands(Math.round(budget.used.tokens))} of ${withThousands(budget.limits.tokens)} tokens`);
  if (budget.limits.usd !== undefined) parts.push(`$${budget.used.usd.toFixed(4)} of $${budget.limits.usd}`);
  if (budget.limits.turns !== undefined) parts.push(`${budget.used.turns} of ${budget.limits.turns} turns`);
  return parts.join(', ');
}

/** 1234567 → "1,234,567". Not `toLocaleString`: Intl formatting is slow, and current details are rebuilt twice a turn. */
export function withThousands(value: number): string {
  const [whole = '', fraction] = String(value).split('.');
  return `${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction ? `.${fraction}` : ''}`;
}

/** 7_200_000 → "2 h"; for what a timeout was. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [[86_400_000, 'd'], [3_600_000, 'h'], [60_000, 'min'], [1_000, 's']];
  const [size, unit] = units.find(([unitMs]) => ms >= unitMs) ?? [1, 'ms'];
  return `${Math.round((ms / size) * 10) / 10} ${unit}`;
}
