/**
 * Runs `step` every `intervalMs` until stopped. A failing step is skipped (a run may not
 * be queryable for a moment); the pause ends at once when polling stops, since a pending
 * timer would hold the process open.
 */
export function pollUntilStopped(step: () => Promise<void>, intervalMs: number): () => void {
  let stopped = false;
  let pause: { timer: NodeJS.Timeout; resume: () => void } | undefined;
  const loop = async () => {
    while (!stopped) {
      try {
        await step();
      } catch {
        // Tried again at the next tick.
      }
      if (stopped) return;
      await new Promise<void>((resume) => (pause = { timer: setTimeout(resume, intervalMs), resume }));
    }
  };
  void loop();
  return () => {
    stopped = true;
    if (pause) {
      clearTimeout(pause.timer);
      pause.resume();
    }
  };
}
