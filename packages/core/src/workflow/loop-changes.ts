import { patched } from '@temporalio/workflow';

/** Changes to the agent loop's commands, each once gated by a patch of its own. */
export type LoopChange = 'cairn-resolve-agent-locally' | 'cairn-visible-state-on-change' | 'cairn-continue-cut-off-answers' | 'cairn-rejections-in-memo';

/** Changes since 0.8, recorded only by the patch of the release that made them. */
export type LoopChangeSince08 = 'cairn-prompt-tool-calls';

/**
 * Whether a run takes each changed path. A run records one patch for all of its release's
 * changes: each patch costs a marker and, from the SDK, an upsert of TemporalChangeVersion (a
 * visibility write). A run started on 0.9 or later records `cairn-0.9-loop`, which implies
 * every earlier change; one started on 0.8 recorded `cairn-0.8-loop`; histories from before
 * 0.8 lack both, so each earlier change falls back to its own patch and replays as it was
 * recorded.
 */
export class LoopChanges {
  private readonly since09 = patched('cairn-0.9-loop');
  // Asked only when the newer patch is absent, so that a new run records one marker, not two.
  private readonly since08 = this.since09 || patched('cairn-0.8-loop');

  has(change: LoopChange | LoopChangeSince08): boolean {
    if (change === 'cairn-prompt-tool-calls') return this.since09;
    return this.since08 || patched(change);
  }
}
