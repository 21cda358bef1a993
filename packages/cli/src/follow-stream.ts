/**
 * Shows a run's answer as the model writes it: polls the text the run's model
 * call publishes in its heartbeats (`CairnClient.streamedText`, at most a second
 * behind) and prints what is new. Each model call's text starts on a line of
 * its own; status lines printed meanwhile first end the line being written.
 */
import type { CairnClient } from '@cairn/core';
import { pollUntilStopped } from './poll.ts';
import { terminalSafe } from './print.ts';

const pollMs = 300;

export interface StreamFollower {
  /** Ends a line of streamed text, if one is open, before something else is printed. */
  breakLine(): void;
  /** Stops polling; returns what was shown of the last model call's text (`whole`: none of it was skipped). */
  stop(): { turn?: number; text: string; whole: boolean };
}

export function followStream(client: Pick<CairnClient, 'streamedText'>, runId: string, write: (text: string) => void = (text) => process.stdout.write(text)): StreamFollower {
  let turn: number | undefined;
  let shown = '';
  let shownChars = 0;
  let whole = true;
  let midLine = false;
  let stopped = false;

  const show = (text: string) => {
    if (text === '') return;
    write(terminalSafe(text));
    midLine = !text.endsWith('\n');
  };

  const stopPolling = pollUntilStopped(async () => {
    const progress = await client.streamedText(runId);
    if (!progress || stopped) return;
    if (progress.turn !== turn) {
      if (midLine) show('\n');
      turn = progress.turn;
      shown = '';
      shownChars = 0;
      whole = true;
    }
    const fresh = progress.chars - shownChars;
    if (fresh <= 0) return;
    // The heartbeat holds the end of the text: what scrolled out of it is marked, not skipped silently.
    const gap = fresh > progress.tail.length;
    const delta = gap ? `…${progress.tail}` : progress.tail.slice(progress.tail.length - fresh);
    show(delta);
    shown += delta;
    shownChars = progress.chars;
    whole &&= !gap;
  }, pollMs);

  return {
    breakLine() {
      if (midLine) show('\n');
    },
    stop() {
      stopped = true;
      stopPolling();
      return { ...(turn !== undefined ? { turn } : {}), text: shown, whole };
    },
  };
}
