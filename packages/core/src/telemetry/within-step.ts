import { context, trace } from '@opentelemetry/api';
import { stepSpanContext } from './run-tracer.ts';

/**
 * Runs an activity's work with its step's span as the active OpenTelemetry context
 * (a no-op unless the process has a context manager, as any OpenTelemetry SDK sets up).
 */
export function withinStep<T>(run: Parameters<typeof stepSpanContext>[0] | undefined, step: Parameters<typeof stepSpanContext>[1], work: () => Promise<T>): Promise<T> {
  if (!run) return work();
  return context.with(trace.setSpanContext(context.active(), stepSpanContext(run, step)), work);
}
