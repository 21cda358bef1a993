/** Resolves on Ctrl-C or SIGTERM: how the foreground servers (`cairn ui`, `codec-server`, `serve callbacks`) know to stop. */
export function untilInterrupted(): Promise<void> {
  return new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
