import type { RunStatus } from '@cairn/core';
import type { ResearchStatus } from '@cairn/agents';
import { budgetBar } from './tree-view.ts';
import { bold, dim, formatTokens, yellow } from './print.ts';

const phaseNames: Record<ResearchStatus['phase'], string> = {
  scoping: 'scoping the question',
  planning: 'planning sub-questions',
  researching: 'researching',
  writing: 'writing the report',
  checking: 'checking citations',
  done: 'done',
};

/** The live view of a research job: phase, researcher tree, budget bar, sources, what waits for the person. */
export function renderResearch(status: ResearchStatus, pending: string[], writing?: string): string {
  const lines = [
    `${bold('Deep research')} ${status.runId}${status.model ? dim(` (${status.model})`) : ''}`,
    `${dim('question')} ${status.question}`,
    `${dim('phase')}    ${phaseNames[status.phase]}${status.turn > 0 && status.phase !== 'done' ? dim(` · round ${status.turn}`) : ''}`,
  ];
  if (status.budget) lines.push(`${dim('budget')}   ${budgetBar(status.budget)}`);
  lines.push(`${dim('sources')}  ${status.sources.length} cited in findings so far`);
  if (status.children.length > 0) {
    lines.push(dim('steps'));
    status.children.forEach((child, index) => {
      const tokens = child.usage ? child.usage.inputTokens + child.usage.outputTokens : 0;
      const branch = index === status.children.length - 1 ? '└─' : '├─';
      lines.push(`  ${branch} ${child.toolCallId.padEnd(8)} ${child.agent.padEnd(20)} ${child.state}${tokens ? dim(` · ${formatTokens(tokens)} tokens`) : ''}`);
    });
  }
  // The end of the report as the writer writes it (its last lines, as a terminal shows them).
  if (writing && status.phase === 'writing') {
    lines.push(dim('report so far'));
    for (const line of writing.split('\n').slice(-8)) lines.push(`  ${line.slice(0, 160)}`);
  }
  for (const item of pending) lines.push(yellow(`waiting  ${item}`));
  if (status.partial) lines.push(yellow(`partial  ${status.partialReasons.join('; ')}`));
  return lines.join('\n');
}

/** A research job answers the same `status` query as an agent run, with its own fields added. */
export function isResearchStatus(status: RunStatus): status is ResearchStatus {
  return 'phase' in status && 'question' in status;
}
