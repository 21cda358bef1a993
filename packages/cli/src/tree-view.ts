import type { BudgetStatus, RunTree } from '@cairn/core';
import { dim, formatTokens, green, red, yellow } from './print.ts';

/** `███▒▒░░░` : spent, reserved for work in flight, free. */
export function budgetBar(budget: BudgetStatus, width = 20): string {
  const limit = budget.limits.tokens;
  if (!(limit > 0)) return '';
  const used = Math.min(width, Math.round((budget.used.tokens / limit) * width));
  const reserved = Math.min(width - used, Math.round((budget.reserved.tokens / limit) * width));
  const fill = '█'.repeat(used) + '▒'.repeat(reserved) + '░'.repeat(width - used - reserved);
  const ratio = budget.used.tokens / limit;
  const painted = ratio >= 0.9 ? red(fill) : ratio >= 0.7 ? yellow(fill) : green(fill);
  return `${painted} ${formatTokens(budget.used.tokens)} / ${formatTokens(limit)} tokens${budget.reserved.tokens > 0 ? dim(` (${formatTokens(budget.reserved.tokens)} reserved)`) : ''}${
    budget.limits.usd !== undefined ? ` · $${budget.used.usd.toFixed(4)} / $${budget.limits.usd}` : ''
  }`;
}

/** One line a node: run, agent, state, turns, tokens and its budget bar; children indented below. */
export function renderTree(tree: RunTree, prefix = '', isLast = true, isRoot = true): string[] {
  const tokens = tree.usage.inputTokens + tree.usage.outputTokens;
  const branch = isRoot ? '' : isLast ? '└─ ' : '├─ ';
  const line = `${prefix}${branch}${tree.runId} ${dim(tree.agent)}  ${tree.state} · ${tree.turn} turn${tree.turn === 1 ? '' : 's'} · ${formatTokens(tokens)} tokens${
    tree.budget ? `  ${budgetBar(tree.budget, 12)}` : ''
  }${tree.exhaustedLimit ? yellow(` (${tree.exhaustedLimit} budget exhausted)`) : ''}`;
  const childPrefix = isRoot ? '' : prefix + (isLast ? '   ' : '│  ');
  const queued = tree.children.filter((child) => child.state === 'queued');
  return [
    line,
    ...tree.childStatuses.flatMap((child, index) => renderTree(child, childPrefix, index === tree.childStatuses.length - 1 && queued.length === 0, false)),
    ...queued.map((child, index) => `${childPrefix}${index === queued.length - 1 ? '└─ ' : '├─ '}${child.runId} ${dim(child.agent)}  queued`),
  ];
}
