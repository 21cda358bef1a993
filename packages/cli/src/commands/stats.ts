import { collectDigests, runStats, type GroupStats, type StatsReport, type ToolStats } from '@cairn/core/analytics';
import { openSession } from '../session.ts';
import { bold, dim, formatTokens, printJson, terminalSafe } from '../print.ts';

export interface StatsOptions {
  agent?: string;
  /** Executions open, or closed within this many ms. */
  since?: number;
  tool?: string;
  json?: boolean;
}

/** `cairn stats`: where time, failures, tokens and money go, from the histories of the namespace's runs. */
export async function statsCommand(options: StatsOptions): Promise<number> {
  const session = await openSession();
  try {
    const started = Date.now();
    const progress = progressBar();
    const collected = await collectDigests(session.temporal, {
      ...(options.agent ? { agent: options.agent } : {}),
      ...(options.since !== undefined ? { closedSince: new Date(started - options.since) } : {}),
      onProgress: progress.update,
    });
    progress.end(`Read ${collected.digests.length} histor${collected.digests.length === 1 ? 'y' : 'ies'}: ${collected.fetched} fetched, ${collected.cached} from the cache, in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    const report = runStats(collected.digests, options.tool ? { tool: options.tool } : {});
    if (options.json) {
      printJson({ ...report, histories: { fetched: collected.fetched, cached: collected.cached } });
      return 0;
    }
    for (const line of renderStats(report, options)) console.log(line);
    return 0;
  } finally {
    await session.close();
  }
}

/** On a terminal, a bar redrawn in place on stderr; elsewhere, a line now and then. */
function progressBar() {
  const terminal = process.stderr.isTTY === true;
  let lastLine = 0;
  return {
    update({ done, total, cached }: { done: number; total: number; cached: number }) {
      if (total === 0) return;
      if (terminal) {
        const width = 30;
        const filled = Math.round((done / total) * width);
        process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} histories (${cached} cached)`);
      } else if (done === cached || done === total || Date.now() - lastLine > 2_000) {
        lastLine = Date.now();
        process.stderr.write(`Reading histories: ${done}/${total} (${cached} cached)\n`);
      }
    },
    end(summary: string) {
      process.stderr.write(`${terminal ? '\r\x1b[K' : ''}${dim(summary)}\n`);
    },
  };
}

export function renderStats(report: StatsReport, options: Pick<StatsOptions, 'agent' | 'since' | 'tool'>): string[] {
  const lines: string[] = [];
  const scope = [options.agent ? `agent ${options.agent}` : '', options.since !== undefined ? `open or closed in the last ${formatDuration(options.since)}` : ''].filter(Boolean).join(', ');
  lines.push(bold(`${report.runs} run${report.runs === 1 ? '' : 's'}${scope ? ` (${scope})` : ''}`));
  if (report.runs === 0) {
    lines.push(dim('No agent runs to count yet.'));
    return lines;
  }

  lines.push('', bold(options.tool ? `Tool ${terminalSafe(options.tool)}` : 'Tools'));
  if (report.tools.length === 0) lines.push(dim('  no tool calls'));
  else lines.push(...table(['tool', 'calls', 'errors', 'failed', 'retries', 'p50', 'p95', 'max', 'mean result'], report.tools.map(toolRow)));

  for (const [title, groups] of [
    ['Agents', report.agents],
    ['Models', report.models],
  ] as const) {
    lines.push('', bold(title));
    lines.push(...table([title === 'Agents' ? 'agent' : 'model', 'runs', 'outcomes', 'turns', 'in', 'out', 'cached', 'USD', 'human wait'], groups.map(groupRow)));
  }

  lines.push('', bold('Top 5'));
  lines.push(`  slowest tools (p95):   ${list(report.top.slowestTools.map((tool) => `${tool.name} ${formatMs(tool.p95Ms)}`))}`);
  lines.push(`  most failing tools:    ${list(report.top.mostFailingTools.map((tool) => `${tool.name} ${tool.toolErrors + tool.activityFailures}`))}`);
  lines.push(`  most expensive runs:   ${list(report.top.mostExpensiveRuns.map((run) => `${run.runId}${run.agent ? ` (${run.agent})` : ''} $${run.costUsd.toFixed(4)}`))}`);
  return lines;
}

function toolRow(tool: ToolStats): string[] {
  return [terminalSafe(tool.name), String(tool.calls), String(tool.toolErrors), String(tool.activityFailures), String(tool.retries), formatMs(tool.p50Ms), formatMs(tool.p95Ms), formatMs(tool.maxMs), tool.meanResultBytes === undefined ? '-' : formatBytes(tool.meanResultBytes)];
}

function groupRow(group: GroupStats): string[] {
  const outcomes = Object.entries(group.outcomes)
    .filter(([, count]) => count > 0)
    .map(([outcome, count]) => `${outcome.replace(/_/g, ' ')} ${count}`)
    .join(', ');
  return [terminalSafe(group.name), String(group.runs), outcomes, String(group.turns), formatTokens(group.usage.inputTokens), formatTokens(group.usage.outputTokens), formatTokens(group.usage.cachedInputTokens), `$${group.costUsd.toFixed(4)}`, formatDuration(group.humanWaitMs)];
}

/** Names and words read left-aligned; figures right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const textual = (column: number) => column === 0 || header[column] === 'outcomes';
  const line = (cells: string[]) => `  ${cells.map((cell, column) => (textual(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ')}`.trimEnd();
  return [dim(line(header)), ...rows.map(line)];
}

function list(items: string[]): string {
  return items.length === 0 ? dim('none') : items.join(' · ');
}

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
