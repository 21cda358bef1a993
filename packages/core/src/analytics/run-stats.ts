/**
 * The figures `cairn stats` prints, from the digests of every execution it read:
 * per tool, per agent and per model, and the top fives. Pure: the same digests
 * always give the same report.
 *
 * A run is its workflow id. Its executions are its continued histories, each counted
 * whole, and executions a rewind left behind, of which only the work done after the
 * reset point counts (the rest is copied into the execution that replaced them).
 */
import { addUsage, zeroUsage, type TokenUsage } from '../messages.ts';
import type { RunDigest, ToolCallDigest } from './run-digest.ts';

export const runOutcomes = ['completed', 'failed', 'budget_exhausted', 'max_turns', 'cancelled', 'truncated', 'terminated', 'timed_out', 'running'] as const;
export type RunOutcomeCount = Record<(typeof runOutcomes)[number], number>;

export interface ToolStats {
  name: string;
  calls: number;
  /** Calls that handed the model an error. */
  toolErrors: number;
  /** Calls whose activity failed for good (retries used up, timed out). */
  activityFailures: number;
  /** Attempts beyond the first, over all calls. */
  retries: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
  meanResultBytes?: number;
}

export interface GroupStats {
  /** The agent's name or the model id. */
  name: string;
  runs: number;
  outcomes: RunOutcomeCount;
  turns: number;
  usage: TokenUsage;
  costUsd: number;
  humanWaitMs: number;
}

export interface RunCost {
  runId: string;
  /** The root's agent; absent when the root is a job of another workflow type (deep research). */
  agent?: string;
  /** The run and every sub-agent under it. */
  costUsd: number;
  tokens: number;
}

export interface StatsReport {
  runs: number;
  tools: ToolStats[];
  agents: GroupStats[];
  models: GroupStats[];
  top: { slowestTools: ToolStats[]; mostFailingTools: ToolStats[]; mostExpensiveRuns: RunCost[] };
}

/** One run, its executions merged. */
interface MergedRun {
  runId: string;
  agent: string;
  model?: string;
  rootRunId: string;
  state: string;
  turns: number;
  usage: TokenUsage;
  costUsd: number;
  humanWaitMs: number;
  toolCalls: ToolCallDigest[];
}

export function runStats(digests: readonly RunDigest[], options: { tool?: string } = {}): StatsReport {
  const runs = mergeRuns(digests);
  const calls = runs.flatMap((run) => run.toolCalls).filter((call) => options.tool === undefined || call.name === options.tool);
  const tools = [...groupBy(calls, (call) => call.name)].map(([name, group]) => toolStats(name, group)).sort((a, b) => b.calls - a.calls || a.name.localeCompare(b.name));
  const treeCost = new Map<string, RunCost>();
  for (const run of runs) {
    const root: RunCost = treeCost.get(run.rootRunId) ?? { runId: run.rootRunId, costUsd: 0, tokens: 0 };
    root.costUsd += run.costUsd;
    root.tokens += run.usage.inputTokens + run.usage.outputTokens;
    if (run.runId === run.rootRunId) root.agent = run.agent;
    treeCost.set(run.rootRunId, root);
  }
  const byCost = [...treeCost.values()].sort((a, b) => b.costUsd - a.costUsd || b.tokens - a.tokens || a.runId.localeCompare(b.runId));
  return {
    runs: runs.length,
    tools,
    agents: groups(runs, (run) => run.agent),
    models: groups(runs, (run) => run.model ?? 'unknown'),
    top: {
      slowestTools: tools.filter((tool) => tool.p95Ms !== undefined).sort((a, b) => b.p95Ms! - a.p95Ms! || a.name.localeCompare(b.name)).slice(0, 5),
      mostFailingTools: tools.filter((tool) => tool.toolErrors + tool.activityFailures > 0).sort((a, b) => b.toolErrors + b.activityFailures - (a.toolErrors + a.activityFailures) || a.name.localeCompare(b.name)).slice(0, 5),
      mostExpensiveRuns: byCost.slice(0, 5),
    },
  };
}

function mergeRuns(digests: readonly RunDigest[]): MergedRun[] {
  // Where each execution left behind by a rewind stops being a copy: its successor's first own event.
  const ownFrom = new Map<string, number>();
  for (const digest of digests) {
    if (!digest.resetFrom) continue;
    const key = `${digest.runId}/${digest.resetFrom.execution}`;
    ownFrom.set(key, Math.min(ownFrom.get(key) ?? Infinity, digest.resetFrom.eventId));
  }
  const runs = new Map<string, MergedRun & { latestStart: number }>();
  for (const digest of digests) {
    const leftFrom = ownFrom.get(`${digest.runId}/${digest.execution}`);
    const own = <T extends { eventId: number }>(items: T[]) => (leftFrom === undefined ? items : items.filter((item) => item.eventId >= leftFrom));
    const run = runs.get(digest.runId) ?? { runId: digest.runId, agent: digest.agent, rootRunId: digest.rootRunId, state: 'running', turns: 0, usage: zeroUsage(), costUsd: 0, humanWaitMs: 0, toolCalls: [], latestStart: -Infinity };
    const modelCalls = own(digest.modelCalls);
    // Turns are those of the run as it stands; tokens and cost include what a discarded execution spent.
    if (leftFrom === undefined) run.turns += digest.modelCalls.filter((call) => !call.compaction).length;
    for (const call of modelCalls) {
      run.usage = addUsage(run.usage, call.usage);
      run.costUsd += call.costUsd ?? 0;
    }
    run.toolCalls.push(...own(digest.toolCalls));
    if (leftFrom === undefined) run.humanWaitMs += digest.humanWaitMs;
    if (digest.model) run.model = digest.model;
    if (digest.agent) run.agent = digest.agent;
    // The run's state is its current execution's: neither continued nor left behind.
    if (leftFrom === undefined && digest.state !== 'continued_as_new' && digest.startedAt >= run.latestStart) {
      run.state = digest.state;
      run.latestStart = digest.startedAt;
    }
    runs.set(digest.runId, run);
  }
  return [...runs.values()];
}

function toolStats(name: string, calls: ToolCallDigest[]): ToolStats {
  const latencies = calls.flatMap((call) => (call.latencyMs === undefined ? [] : [call.latencyMs])).sort((a, b) => a - b);
  const sizes = calls.flatMap((call) => (call.resultBytes === undefined ? [] : [call.resultBytes]));
  return {
    name,
    calls: calls.length,
    toolErrors: calls.filter((call) => call.isError && !call.activityFailed).length,
    activityFailures: calls.filter((call) => call.activityFailed).length,
    retries: calls.reduce((sum, call) => sum + call.retries, 0),
    ...(latencies.length > 0 ? { p50Ms: percentile(latencies, 0.5), p95Ms: percentile(latencies, 0.95), maxMs: latencies.at(-1)! } : {}),
    ...(sizes.length > 0 ? { meanResultBytes: Math.round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length) } : {}),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
}

function groups(runs: MergedRun[], key: (run: MergedRun) => string): GroupStats[] {
  return [...groupBy(runs, key)]
    .map(([name, group]) => ({
      name,
      runs: group.length,
      outcomes: Object.fromEntries(runOutcomes.map((outcome) => [outcome, group.filter((run) => run.state === outcome).length])) as RunOutcomeCount,
      turns: group.reduce((sum, run) => sum + run.turns, 0),
      usage: group.reduce((sum, run) => addUsage(sum, run.usage), zeroUsage()),
      costUsd: group.reduce((sum, run) => sum + run.costUsd, 0),
      humanWaitMs: group.reduce((sum, run) => sum + run.humanWaitMs, 0),
    }))
    .sort((a, b) => b.runs - a.runs || a.name.localeCompare(b.name));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const item of items) {
    const name = key(item);
    const group = grouped.get(name);
    if (group) group.push(item);
    else grouped.set(name, [item]);
  }
  return grouped;
}
