/** `@cairn/core/telemetry`: OpenTelemetry spans for runs, from run events. */
export { RunTracer, type RunTracerOptions } from './run-tracer.ts';
export { tracingFromEnvironment, type EnvironmentTracing } from './tracing-from-environment.ts';
export type { RunEvent, RunEventType } from '../workflow/run-events.ts';
export type { RunEventEnvelope, RunIdentity } from '../workflow/run-event-sink.ts';
export { runTraceId } from './run-trace-id.ts';
