/**
 * A signal that aborts when the caller's signal does or when `timeoutMs` has
 * passed, whichever comes first, and a way to tell the two apart afterwards:
 * a timeout becomes a tool error the model can read, while a caller's abort
 * (the run was cancelled) is rethrown as is so cancellation propagates.
 */
export interface Deadline {
  signal: AbortSignal;
  timeoutMs: number;
  /** True when the timeout fired and the caller did not abort. */
  timedOut(): boolean;
  /** True when the caller's own signal aborted. */
  callerAborted(): boolean;
}

export function deadline(timeoutMs: number, callerSignal?: AbortSignal): Deadline {
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}.`);
  }
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  return {
    signal,
    timeoutMs,
    timedOut: () => timeout.aborted && !callerSignal?.aborted,
    callerAborted: () => callerSignal?.aborted === true,
  };
}

/** The caller's abort reason, as an error to rethrow. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}
