/**
 * A streaming model call's progress, published in its heartbeats. A client
 * following the run reads the text from there (`CairnClient.streamedText`), so
 * partial text never enters history; and a retry of a call cut off mid-stream
 * reads what the cut-off attempt had been billed for, so the budget counts it.
 */
import { Context } from '@temporalio/activity';
import { progressTailChars, type ModelCallProgress } from '../activity-contract.ts';
import type { TokenUsage } from '../messages.ts';
import type { StreamProgress } from '../providers/provider.ts';

/** How often, at most, a stream's progress is handed to Temporal (which sends it on at most once a second). */
const beatEveryMs = 250;

export class StreamReporter {
  private progress: ModelCallProgress;
  private lastBeatAt = 0;

  constructor(turn: number | undefined) {
    this.progress = { ...(turn !== undefined ? { turn } : {}), chars: 0, tail: '' };
  }

  /** What the attempts before this one were cut off with (`interruptedUsage`): handed on, should this one be cut off too. */
  carry(interrupted: TokenUsage): void {
    this.progress = { ...this.progress, interrupted };
  }

  readonly update = (stream: StreamProgress): void => {
    this.progress = {
      ...this.progress,
      chars: stream.text.length,
      tail: stream.text.slice(-progressTailChars),
      ...(stream.inputTokens !== undefined ? { inputTokens: stream.inputTokens } : {}),
    };
    const now = Date.now();
    if (now - this.lastBeatAt < beatEveryMs) return;
    this.lastBeatAt = now;
    Context.current().heartbeat(this.progress);
  };

  details(): ModelCallProgress {
    return this.progress;
  }
}
