import { CairnError } from '../errors.ts';
import type { PendingItem } from '../workflow/human-inbox.ts';

/** A pending question or approval, with the run that waits for it. */
export type InboxItem = PendingItem & {
  runId: string;
  agent?: string;
  parentRunId?: string;
  /** Answers and decisions this run rejected lately (a wrong id, a second answer): why they were not taken. */
  rejected?: { at: number; message: string }[];
};

/** Several items fit and none was named: the caller should choose (the CLI asks). */
export class AmbiguousPendingError extends CairnError {
  constructor(
    readonly runId: string,
    readonly candidates: PendingItem[],
  ) {
    const flag = candidates[0]?.kind === 'question' ? '--question' : '--call';
    super(`Run '${runId}' has ${candidates.length} pending ${candidates[0]?.kind === 'question' ? 'questions' : candidates[0]?.kind === 'approval' ? 'approvals' : 'asynchronous tool calls'}: ${candidates.map(describePending).join('; ')}.`, {
      hint: `Name one with ${flag} <id>.`,
    });
    this.name = 'AmbiguousPendingError';
  }
}

export function describePending(item: PendingItem): string {
  return item.kind === 'question' ? `${item.id} "${item.question}"` : `${item.id} ${item.tool}(${JSON.stringify(item.arguments)})`;
}

/** Picks the item an answer or decision is for, or says clearly why none fits. */
export function choosePending(runId: string, pending: PendingItem[], kind: PendingItem['kind'], id: string | undefined): PendingItem {
  const candidates = pending.filter((item) => item.kind === kind);
  const noun = { question: 'question', approval: 'approval', async_call: 'asynchronous tool call' }[kind];
  if (id !== undefined) {
    const item = candidates.find((candidate) => candidate.id === id);
    if (item) return item;
    throw new CairnError(
      candidates.length === 0 ? `Run '${runId}' has no pending ${noun}, so there is no ${noun} '${id}' to resolve.` : `Run '${runId}' has no pending ${noun} '${id}'.`,
      { hint: candidates.length === 0 ? "See what is waiting with 'cairn inbox'." : `Pending: ${candidates.map(describePending).join('; ')}.` },
    );
  }
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length === 0) throw new CairnError(`Run '${runId}' is not waiting for any ${noun}.`, { hint: "See what is waiting with 'cairn inbox'." });
  throw new AmbiguousPendingError(runId, candidates);
}
