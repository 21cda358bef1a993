/**
 * What the console's pages show, read through the same client as the CLI:
 * runs with their figures, one run's tree and record, the inbox. Closed runs
 * never change, so their figures are read once and kept.
 */
import type { CairnClient, RunRecord, RunStatus, RunSummary, RunTree } from '@cairn/core';
import type { ResearchStatus } from '@cairn/agents';
import { runTraceId } from '@cairn/core/telemetry';
import { isResearchStatus } from '../research-view.ts';

export interface RunRow {
  runId: string;
  agent: string;
  state: string;
  turns: number;
  tokens: number;
  costUsd?: number;
  startedAt: number;
  closedAt?: number;
  waiting: number;
}

export interface RunFilter {
  agent?: string;
  state?: string;
  /** Runs started within this many milliseconds. */
  withinMs?: number;
  limit?: number;
}

/** Entries each cache keeps: more than a console's pages show at once. */
const cacheSize = 500;

export class ConsoleData {
  private readonly closedRows = new Map<string, RunRow>();
  /** A run's record, read again only when its tree shows a change (a record reads the whole history). */
  private readonly records = new Map<string, { seen: string; record: RunView['record'] }>();
  private readonly workflowTypes = new Map<string, string>();
  /** Finished jobs' research views: their report no longer changes. */
  private readonly finishedResearch = new Map<string, ResearchView>();

  constructor(private readonly client: CairnClient) {}

  async runs(filter: RunFilter = {}): Promise<RunRow[]> {
    const listed = await this.client.list({ limit: filter.limit ?? 50, workflowTypes: ['agentWorkflow', 'deepResearchWorkflow'] });
    const rows = await Promise.all(listed.map((run) => this.row(run)));
    const since = filter.withinMs === undefined ? undefined : Date.now() - filter.withinMs;
    return rows.filter((row) => (!filter.agent || row.agent === filter.agent) && (!filter.state || row.state === filter.state) && (since === undefined || row.startedAt >= since));
  }

  /** A run, its sub-agents with their budgets, its record turn by turn, and where else to look. */
  async run(runId: string): Promise<RunView> {
    const tree = await this.client.statusTree(runId);
    const [record, streamed, research] = await Promise.all([
      this.record(runId, tree),
      // The page shows streamed text only while a model call runs.
      tree.state === 'calling_model' ? this.client.streamedText(runId).catch(() => undefined) : undefined,
      this.research(runId, tree),
    ]);
    const webUrl = this.client.uiUrl(runId);
    // CAIRN_TRACE_URL: the trace viewer's address for a trace, e.g. http://localhost:16686/trace/{traceId}.
    const traceUrl = process.env.CAIRN_TRACE_URL?.replace('{traceId}', runTraceId(runId.split('.')[0]!));
    return { tree, record, ...(research ? { research } : {}), ...(webUrl ? { webUrl } : {}), ...(traceUrl ? { traceUrl } : {}), ...(streamed?.tail ? { streamed: streamed.tail } : {}) };
  }

  private async record(runId: string, tree: RunTree): Promise<RunView['record']> {
    const seen = JSON.stringify(changesOf(tree));
    const kept = this.records.get(runId);
    if (kept?.seen === seen) return kept.record;
    const record = await this.client.record(runId, { depth: 3 }).catch((error: Error): { unavailable: string } => ({ unavailable: error.message }));
    remember(this.records, runId, { seen, record });
    return record;
  }

  /** A job answers its status query with its phase and sources, after it ended too (a worker replays it to answer). */
  private async researchStatus(runId: string, status: RunStatus): Promise<ResearchStatus | undefined> {
    if (isResearchStatus(status)) return status;
    let type = this.workflowTypes.get(runId);
    if (type === undefined) {
      type = (await this.client.describe(runId)).type;
      remember(this.workflowTypes, runId, type);
    }
    if (type !== 'deepResearchWorkflow') return undefined;
    const queried = await this.client.temporal.workflow.getHandle(runId).query<RunStatus>('status').catch(() => undefined);
    return queried && isResearchStatus(queried) ? queried : undefined;
  }

  /** A research job's phase, sources and, once done, its report; undefined for any other run. */
  private async research(runId: string, tree: RunTree): Promise<ResearchView | undefined> {
    const finished = this.finishedResearch.get(runId);
    if (finished) return finished;
    const status = await this.researchStatus(runId, tree);
    if (!status) return undefined;
    const view: ResearchView = { phase: status.phase, question: status.question, sources: status.sources, partial: status.partial };
    if (status.phase !== 'done') return view;
    const result = (await this.client.result(runId).catch(() => undefined)) as { report?: string; citations?: { total: number; verified: number } } | undefined;
    const done = { ...view, ...(result?.report ? { report: result.report } : {}), ...(result?.citations ? { citations: result.citations } : {}) };
    if (result) remember(this.finishedResearch, runId, done);
    return done;
  }

  private async row(run: RunSummary): Promise<RunRow> {
    const kept = this.closedRows.get(run.runId);
    if (kept) return kept;
    const status = await this.client.status(run.runId).catch((): RunStatus | undefined => undefined);
    const row: RunRow = {
      runId: run.runId,
      agent: run.agent ?? status?.agent ?? 'unknown',
      state: status?.state ?? run.state,
      turns: status?.turn ?? 0,
      tokens: status ? status.usage.inputTokens + status.usage.outputTokens : 0,
      ...(status?.budget?.used.usd ? { costUsd: status.budget.used.usd } : {}),
      startedAt: run.startedAt.getTime(),
      ...(run.closedAt ? { closedAt: run.closedAt.getTime() } : {}),
      waiting: status?.pending.length ?? 0,
    };
    if (run.closedAt && status) remember(this.closedRows, run.runId, row);
    return row;
  }
}

/** What in a run's tree changes when its record does: states, turns, tool calls and what waits, down the tree. */
function changesOf(tree: RunTree): unknown {
  return [tree.state, tree.turn, tree.toolCalls.map((call) => `${call.id}:${call.state}`), tree.pending.map((item) => item.id), tree.childStatuses.map(changesOf)];
}

/** Adds to a cache that forgets its oldest entries past `cacheSize`. */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  cache.delete(key);
  cache.set(key, value);
  if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
}

/** What a run's page shows: its tree, its record (or why there is none yet), and where else to look. */
export interface RunView {
  tree: RunTree;
  record: RunRecord | { unavailable: string };
  research?: ResearchView;
  webUrl?: string;
  traceUrl?: string;
  /** The end of the answer being written, while a streamed model call runs. */
  streamed?: string;
}

export interface ResearchView {
  phase: string;
  question: string;
  sources: string[];
  partial: boolean;
  report?: string;
  citations?: { total: number; verified: number };
}
