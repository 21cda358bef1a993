/**
 * Tracing set up the way OpenTelemetry SDKs are: from the standard OTEL_*
 * variables. With an OTLP endpoint set, spans go there (OTLP over HTTP, batched);
 * without one, or with OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none,
 * nothing is set up and nothing is sent.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface EnvironmentTracing {
  processor: SpanProcessor;
  resource: Resource;
  /** Sends what is still buffered and stops: call it when the worker has stopped. */
  shutdown(): Promise<void>;
}

export function tracingFromEnvironment(env: NodeJS.ProcessEnv = process.env): EnvironmentTracing | undefined {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return undefined;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return undefined;
  // The exporter reads the endpoint, headers, timeout and compression from the same variables.
  // The standard batch delay variable; the SDK's processor no longer reads it itself.
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  const processor = new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), ...(delay > 0 ? { scheduledDelayMillis: delay } : {}) });
  return {
    processor,
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? 'cairn-worker' }),
    shutdown: () => processor.shutdown(),
  };
}
