import { CairnError, type RewindPoint, type RunOnBuild } from '@cairn/core';
import { openSession } from '../session.ts';
import { bold, dim, green, printJson, red, terminalSafe, yellow } from '../print.ts';

export interface RewindOptions {
  toTurn?: number;
  badBuild?: string;
  agent?: string;
  /** With --bad-build: runs open, or closed within this many ms. */
  since?: number;
  reason?: string;
  dryRun?: boolean;
  json?: boolean;
}

const defaultSinceMs = 7 * 86_400_000;

/** `cairn rewind <runId> --to-turn N` and `cairn rewind --bad-build <buildId>`. */
export async function rewindCommand(runId: string | undefined, options: RewindOptions): Promise<number> {
  if (options.badBuild !== undefined) {
    if (runId !== undefined || options.toTurn !== undefined) {
      throw new CairnError('--bad-build finds its runs itself: give it without a run id or --to-turn.', { hint: 'cairn rewind --bad-build <buildId> [--dry-run], or cairn rewind <runId> --to-turn N.' });
    }
    return rewindBadBuild(options.badBuild, options);
  }
  if (runId === undefined || options.toTurn === undefined) {
    throw new CairnError('cairn rewind needs a run id and --to-turn, or --bad-build.', { hint: 'cairn rewind <runId> --to-turn 2, or cairn rewind --bad-build <buildId>.' });
  }
  if (options.agent !== undefined || options.since !== undefined) throw new CairnError('--agent and --since choose runs for --bad-build; a single run is named by its id.');
  return rewindToTurn(runId, options.toTurn, options);
}

async function rewindToTurn(runId: string, turn: number, options: RewindOptions): Promise<number> {
  const session = await openSession();
  try {
    const point = await session.client.planRewind(runId, turn);
    if (options.dryRun) {
      if (options.json) printJson({ dryRun: true, ...point });
      else console.log(`Would rewind ${bold(runId)} to the end of turn ${turn}${childrenNote(point)}. Nothing was changed.`);
      return 0;
    }
    const reason = `cairn rewind to the end of turn ${turn}${options.reason ? `: ${options.reason}` : ''}`;
    const rewound = await session.client.rewind(point, { reason });
    if (options.json) {
      printJson(rewound);
      return 0;
    }
    console.log(`Rewound ${bold(runId)} to the end of turn ${turn}: it goes on from turn ${turn + 1} on the workers running now${childrenNote(point, 'cancelled')}.`);
    console.log(dim(`The execution it left behind stays as the record: cairn show ${runId} --execution ${point.execution}`));
    if (!(await session.client.hasWorkers())) console.log(yellow("No worker is serving the task queue: the run goes on once one starts ('cairn up' or 'cairn worker')."));
    return 0;
  } finally {
    await session.close();
  }
}

interface BadBuildOutcome {
  runId: string;
  point?: RewindPoint;
  newExecution?: string;
  /** Why it was left alone, or why its reset failed. */
  skipped?: string;
  failed?: string;
}

async function rewindBadBuild(buildId: string, options: RewindOptions): Promise<number> {
  const session = await openSession();
  try {
    const closedSince = new Date(Date.now() - (options.since ?? defaultSinceMs));
    const runs = await session.client.runsOnBuild(buildId, { closedSince, ...(options.agent ? { agent: options.agent } : {}) });
    const progress = (line: string) => {
      if (!options.json) console.log(line);
    };
    progress(`${runs.length} run${runs.length === 1 ? '' : 's'} took a step on build ${bold(buildId)} (open, or closed since ${closedSince.toISOString()})${options.agent ? ` of agent ${options.agent}` : ''}.`);
    const outcomes: BadBuildOutcome[] = [];
    for (const [index, run] of runs.entries()) {
      const outcome = await rewindOne(run);
      outcomes.push(outcome);
      progress(`[${index + 1}/${runs.length}] ${describeOutcome(outcome, options.dryRun === true)}`);
    }
    const failed = outcomes.filter((outcome) => outcome.failed);
    if (options.json) printJson({ buildId, dryRun: options.dryRun === true, runs: outcomes });
    else {
      const done = outcomes.filter((outcome) => outcome.point && !outcome.failed).length;
      progress(`${options.dryRun ? 'Would rewind' : 'Rewound'} ${done} run${done === 1 ? '' : 's'}; ${outcomes.length - done - failed.length} left alone; ${failed.length} could not be rewound.${options.dryRun ? ' Nothing was changed.' : ''}`);
    }
    return failed.length > 0 ? 1 : 0;

    async function rewindOne(run: RunOnBuild): Promise<BadBuildOutcome> {
      let point: RewindPoint | undefined;
      try {
        point = await session.client.planBadBuildRewind(run, buildId);
      } catch (error) {
        return { runId: run.runId, failed: (error as Error).message };
      }
      if (!point) return { runId: run.runId, skipped: 'its latest history holds no step of that build (already rewound?)' };
      if (options.dryRun) return { runId: run.runId, point };
      try {
        const rewound = await session.client.rewind(point, { reason: `cairn rewind --bad-build ${buildId}${options.reason ? `: ${options.reason}` : ''}` });
        return { runId: run.runId, point, newExecution: rewound.newExecution };
      } catch (error) {
        return { runId: run.runId, point, failed: (error as Error).message };
      }
    }
  } finally {
    await session.close();
  }
}

function describeOutcome(outcome: BadBuildOutcome, dryRun: boolean): string {
  const run = bold(outcome.runId);
  if (outcome.failed) return `${run} ${red('not rewound')}: ${terminalSafe(outcome.failed)}`;
  if (!outcome.point) return `${run} ${dim(`left alone: ${outcome.skipped}`)}`;
  const where = `to workflow task ${outcome.point.workflowTaskCompletedEventId}, keeping ${outcome.point.keptTurns} turn${outcome.point.keptTurns === 1 ? '' : 's'}${childrenNote(outcome.point, dryRun ? undefined : 'cancelled')}`;
  return dryRun ? `${run} would be rewound ${where}` : `${run} ${green('rewound')} ${where}`;
}

function childrenNote(point: RewindPoint, done?: string): string {
  const count = point.openChildren.length;
  if (count === 0) return '';
  return `; ${count} sub-agent run${count === 1 ? '' : 's'} started after it ${done ? `${count === 1 ? 'was' : 'were'} ${done}` : 'would be cancelled'}`;
}
