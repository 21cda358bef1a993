import { patched } from '@temporalio/workflow';

/** Changes to the agent loop's commands, each once gated by a patch of its own. */
export type LoopChange = 'cairn-resolve-agent-locally' | 'cairn-visible-state-on-change' | 'cairn-continue-cut-off-answers' | 'cairn-rejections-in-memo';

/**
 * Whether a run takes each changed path. A run started on 0.8 or later records one patch for
 * all of them: each patch costs a marker and, from the SDK, an upsert of TemporalChangeVersion
 * (a visibility write), and a run paid for two of them before its first model call. Histories
 * from before 0.8 lack that marker, so each change falls back to its own patch and replays as
 * it was recorded.
 */
export class LoopChanges {
  private readonly all = patched('cairn-0.8-loop');

  has(change: LoopChange): boolean {
    return this.all || patched(change);
  }
}
