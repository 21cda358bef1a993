import type { RunRecord, ToolCallRecord, TurnRecord } from '@cairn/core';
import { openSession } from '../session.ts';
import { bold, cyan, dim, formatTokens, green, printJson, red, terminalSafe, yellow } from '../print.ts';

export interface ShowOptions {
  json?: boolean;
  /** One Temporal execution of the run, such as one a rewind left behind. */
  execution?: string;
  full?: boolean;
  depth?: number;
}

/** How much of a long value is shown before it is folded (`--full` unfolds). */
const foldChars = 300;

/** `cairn show <runId>`: the run turn by turn, with its sub-agents nested. */
export async function showCommand(runId: string, options: ShowOptions): Promise<number> {
  const session = await openSession();
  try {
    const record = await session.client.record(runId, { depth: options.depth ?? 1, ...(options.execution ? { execution: options.execution } : {}) });
    if (options.json) {
      printJson(record);
      return 0;
    }
    for (const line of renderRecord(record, { full: options.full ?? false })) console.log(line);
    const url = session.client.uiUrl(runId);
    if (url) console.log(dim(`\n${url}`));
    return 0;
  } finally {
    await session.close();
  }
}

/** The record as lines of text; sub-agents indented under the call that started them. */
export function renderRecord(record: RunRecord, options: { full: boolean }, indent = ''): string[] {
  const fold = (text: string) => folded(terminalSafe(text), options.full);
  const lines: string[] = [];
  const push = (line: string) => lines.push(`${indent}${line}`);
  const block = (text: string, prefix: string) => fold(text).split('\n').forEach((line) => push(`${prefix}${line}`));

  push(`${bold(record.runId)}  ${record.agent}${record.model ? dim(` (${record.model})`) : ''}  ${stateColour(record.state)}`);
  const cost = record.costUsd !== undefined ? ` · $${record.costUsd.toFixed(4)}` : '';
  push(dim(`${record.turns.length} turn${record.turns.length === 1 ? '' : 's'} · ${formatTokens(record.usage.inputTokens)} in / ${formatTokens(record.usage.outputTokens)} out tokens${cost} · started ${record.startedAt}${record.histories > 1 ? ` · ${record.histories} histories (continued as new)` : ''}`));
  block(record.input, `${cyan('input')}  `);
  const rewinds = record.rewinds ?? [];
  const compactions = record.compactions ?? [];
  for (const turn of record.turns) {
    lines.push(...renderTurn(turn, options, indent));
    for (const compaction of compactions.filter((candidate) => candidate.afterTurn === turn.turn)) {
      const cost = compaction.costUsd !== undefined ? ` · $${compaction.costUsd.toFixed(4)}` : '';
      push('');
      push(yellow(`context compacted: messages before #${compaction.summarizedMessages} summarised to fit the model's window`) + dim(` · ${formatTokens(compaction.usage.inputTokens)} in / ${formatTokens(compaction.usage.outputTokens)} out${cost}`));
    }
    for (const rewind of rewinds.filter((candidate) => candidate.afterTurn === turn.turn)) {
      push('');
      push(yellow(`rewound here on ${rewind.at}${rewind.reason ? `: ${terminalSafe(rewind.reason)}` : ''}`));
      push(dim(`  the turns after this one, as first run: cairn show ${record.runId} --execution ${rewind.fromExecution}`));
    }
  }
  for (const step of record.steps ?? []) push(`${cyan('step')} ${step.agent} ${dim(step.runId)} ${stateColour(step.state)}`);
  if (record.output !== undefined) {
    push('');
    push(bold('answer'));
    block(record.output, '  ');
  }
  if (record.error) push(red(`failed: ${terminalSafe(record.error)}`));
  return lines;

  function renderTurn(turn: TurnRecord, turnOptions: { full: boolean }, pad: string): string[] {
    const out: string[] = [];
    const add = (line: string) => out.push(`${pad}${line}`);
    const budget = turn.budgetAfter;
    const spent = `budget ${budget.tokens.toLocaleString('en-US')} of ${budget.tokenLimit.toLocaleString('en-US')} tokens${budget.usdLimit !== undefined ? `, $${(budget.usd ?? 0).toFixed(4)} of $${budget.usdLimit}` : ''}`;
    add('');
    add(bold(`turn ${turn.turn}`) + dim(` · ${formatTokens(turn.usage.inputTokens)} in / ${formatTokens(turn.usage.outputTokens)} out${turn.costUsd !== undefined ? ` · $${turn.costUsd.toFixed(4)}` : ''} · ${spent}${turn.wrapUp ? ' · wrap-up' : ''}${turn.stopReason === 'max_tokens' ? ' · cut off at the output cap' : ''}${turn.buildId ? ` · build ${terminalSafe(turn.buildId)}` : ''}`));
    if (turn.text.trim() !== '') folded(terminalSafe(turn.text), turnOptions.full).split('\n').forEach((line) => add(`  ${line}`));
    for (const call of turn.toolCalls) out.push(...renderCall(call, turnOptions, `${pad}  `));
    return out;
  }

  function renderCall(call: ToolCallRecord, callOptions: { full: boolean }, pad: string): string[] {
    const out: string[] = [];
    const add = (line: string) => out.push(`${pad}${line}`);
    add(`${cyan('→')} ${bold(call.name)} ${dim(call.id)}  ${folded(terminalSafe(call.arguments), callOptions.full).replace(/\n/g, ' ')}`);
    if (call.approval) add(`  ${approvalLine(call.approval)}`);
    if (call.child) {
      if ('turns' in call.child) out.push(...renderRecord(call.child, callOptions, `${pad}  │ `));
      else add(`  sub-agent ${call.child.agent} ${dim(call.child.runId)} ${stateColour(call.child.state)} ${dim('(--depth to include)')}`);
    }
    if (call.result === undefined) add(dim('  … no result yet'));
    else {
      const who = call.kind === 'question' ? (call.answeredBy === 'person' ? ` answered by ${call.answeredByName ?? 'a person'}` : ' the default answer') : '';
      const arrow = call.isError ? red('← error') : green('←');
      folded(terminalSafe(call.result), callOptions.full)
        .split('\n')
        .forEach((line, index) => add(index === 0 ? `  ${arrow}${dim(who)} ${line}` : `    ${line}`));
    }
    return out;
  }
}

function approvalLine(approval: NonNullable<ToolCallRecord['approval']>): string {
  if (approval.state === 'pending') return yellow('approval: waiting for a person');
  const by = approval.by === 'timeout' ? 'when no decision came in time' : `by ${approval.person ?? 'a person'}`;
  const edited = approval.editedArguments !== undefined ? ` with edited arguments ${JSON.stringify(approval.editedArguments)}` : '';
  const reason = approval.reason ? `: ${approval.reason}` : '';
  return approval.state === 'approved' ? green(`approval: approved ${by}${edited}`) : red(`approval: denied ${by}${reason}`);
}

function stateColour(state: string): string {
  if (state === 'completed') return green(state);
  if (state === 'running') return cyan(state);
  if (state === 'failed' || state === 'cancelled' || state === 'terminated') return red(state);
  return yellow(state);
}

/** A long value's beginning and how much more there is, unless `full`. */
function folded(text: string, full: boolean): string {
  if (full || text.length <= foldChars) return text;
  return `${text.slice(0, foldChars)}${dim(` … (${(text.length - foldChars).toLocaleString('en-US')} more characters; --full shows all)`)}`;
}
