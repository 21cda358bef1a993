/**
 * OpenTelemetry spans for runs, built from run events on the worker: one span
 * for the run (`invoke_agent`), each turn, each model call (`chat`), each tool
 * call (`execute_tool`) and each wait for a person; a sub-agent's run nests
 * under the tool call that started it. Attributes follow the GenAI semantic
 * conventions, plus Cairn's own (`cairn.*`).
 *
 * A span is made whole when its step ends, from the start time the ending event
 * carries, and its ids are derived from the run and the step. So a worker that
 * takes a run over mid-way traces the rest into the same tree, and since Temporal
 * calls sinks only for new work, never while replaying, no step is traced twice.
 */
import { createHash } from 'node:crypto';
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type SpanContext } from '@opentelemetry/api';
import { hrTimeDuration, millisToHrTime } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import type { StopReason, TokenUsage } from '../messages.ts';
import type { RunEventEnvelope } from '../workflow/run-event-sink.ts';
import { runTraceId } from './run-trace-id.ts';

export interface RunTracerOptions {
  /** Where finished spans go: a BatchSpanProcessor with an OTLP exporter, or an in-memory one in tests. */
  processor: SpanProcessor;
  resource?: Resource;
  /**
   * Put message content (the model's text, tool arguments and results, questions and
   * answers) on spans. Off by default, as the GenAI conventions ask; the environment
   * variable OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true turns it on.
   */
  captureContent?: boolean;
}

const scope = { name: '@cairn/core', version: '0.3.0' };

export class RunTracer {
  private readonly resource: Resource;
  private readonly captureContent: boolean;
  /** Tool arguments seen when their turn's calls started, until each call ends (content capture only). */
  private readonly toolArguments = new Map<string, string>();

  constructor(private readonly options: RunTracerOptions) {
    this.resource = options.resource ?? resourceFromAttributes({ 'service.name': 'cairn-worker' });
    this.captureContent = options.captureContent ?? process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true';
  }

  /** Takes one run event (from the worker's `cairn.runEvent` sink) and ends whatever span it completes. */
  readonly handle = ({ at, run, event }: RunEventEnvelope): void => {
    const ids = new SpanIds(run);
    const content = this.captureContent;
    switch (event.type) {
      case 'run_finished': {
        // Arguments of calls whose end another worker saw: nothing will ask for them now.
        for (const key of this.toolArguments.keys()) if (key.startsWith(`${run.runId}/`)) this.toolArguments.delete(key);
        const remaining = event.budget.limits.tokens - event.budget.used.tokens - event.budget.reserved.tokens;
        return this.end({
          name: `invoke_agent ${run.agent}`,
          kind: SpanKind.INTERNAL,
          context: ids.context(ids.runSpan()),
          parent: ids.runParent(),
          start: event.startedAt,
          end: at,
          error: undefined,
          attributes: {
            'gen_ai.operation.name': 'invoke_agent',
            'gen_ai.agent.name': run.agent,
            'gen_ai.conversation.id': run.runId,
            'gen_ai.usage.input_tokens': event.usage.inputTokens,
            'gen_ai.usage.output_tokens': event.usage.outputTokens,
            'cairn.run.id': run.runId,
            ...(run.parentRunId ? { 'cairn.parent_run.id': run.parentRunId } : {}),
            'cairn.outcome': event.outcome,
            'cairn.cost_usd': event.costUsd,
            'cairn.budget.remaining_tokens': Math.max(0, remaining),
            ...(event.exhaustedLimit ? { 'cairn.budget.exhausted': event.exhaustedLimit } : {}),
            ...(content ? { 'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: event.output }] }]) } : {}),
          },
        });
      }
      case 'turn_finished':
        return this.end({
          name: `turn ${event.turn}`,
          kind: SpanKind.INTERNAL,
          context: ids.context(ids.turn(event.turn)),
          parent: ids.context(ids.runSpan()),
          start: event.startedAt,
          end: at,
          attributes: { 'cairn.run.id': run.runId, 'cairn.agent': run.agent, 'cairn.turn': event.turn },
        });
      case 'model_call_finished': {
        const chat = chatAttributes(event, run);
        const remaining = event.budget.limits.tokens - event.budget.used.tokens - event.budget.reserved.tokens;
        return this.end({
          name: `chat ${chat['gen_ai.request.model']}`,
          kind: SpanKind.CLIENT,
          context: ids.context(ids.chat(event.turn)),
          parent: ids.context(ids.turn(event.turn)),
          start: event.startedAt,
          end: at,
          attributes: {
            ...chat,
            'gen_ai.response.model': event.responseModel ?? chat['gen_ai.request.model'],
            'gen_ai.usage.cache_read.input_tokens': event.usage.cachedInputTokens,
            ...(event.usage.cacheWriteInputTokens ? { 'gen_ai.usage.cache_creation.input_tokens': event.usage.cacheWriteInputTokens } : {}),
            'gen_ai.response.finish_reasons': [finishReason(event.stopReason)],
            'cairn.turn': event.turn,
            'cairn.budget.remaining_tokens': Math.max(0, remaining),
            ...(content ? { 'gen_ai.output.messages': JSON.stringify([assistantMessage(event.text, event.toolCalls)]) } : {}),
          },
        });
      }
      case 'context_compacted': {
        const chat = chatAttributes(event, run);
        return this.end({
          name: `chat ${chat['gen_ai.request.model']}`,
          kind: SpanKind.CLIENT,
          context: ids.context(ids.compaction(event.through)),
          parent: ids.context(ids.runSpan()),
          start: event.startedAt,
          end: at,
          attributes: { ...chat, 'cairn.context.compaction': true, 'cairn.context.summarized_messages': event.through },
        });
      }
      case 'tool_calls_started':
        if (content) for (const call of event.calls) this.toolArguments.set(`${run.runId}/${call.id}`, call.arguments);
        return;
      case 'tool_call_finished': {
        const key = `${run.runId}/${event.id}`;
        const args = this.toolArguments.get(key);
        this.toolArguments.delete(key);
        return this.end({
          name: `execute_tool ${event.name}`,
          kind: SpanKind.INTERNAL,
          context: ids.context(ids.tool(event.id)),
          parent: ids.context(ids.turn(turnOf(event.id))),
          start: event.startedAt,
          end: at,
          error: event.isError ? 'tool_error' : undefined,
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': event.name,
            'gen_ai.tool.call.id': event.id,
            'cairn.run.id': run.runId,
            ...(content && args !== undefined ? { 'gen_ai.tool.call.arguments': args } : {}),
            ...(content ? { 'gen_ai.tool.call.result': event.preview } : {}),
          },
        });
      }
      case 'human_wait_resolved': {
        const { item, resolution } = event;
        return this.end({
          name: `human_wait ${item.kind}`,
          kind: SpanKind.INTERNAL,
          context: ids.context(ids.wait(item.id)),
          parent: ids.context(/^call-\d+-\d+$/.test(item.id) ? ids.tool(item.id) : ids.runSpan()),
          start: item.askedAt,
          end: at,
          attributes: {
            'cairn.run.id': run.runId,
            'cairn.wait.kind': item.kind,
            'cairn.wait.id': item.id,
            'cairn.wait.resolved_by': resolution.by,
            ...(resolution.kind === 'decision' ? { 'cairn.approval.approved': resolution.approved, ...(item.kind === 'approval' ? { 'gen_ai.tool.name': item.tool } : {}) } : {}),
            ...(content && item.kind === 'question' ? { 'cairn.question': item.question } : {}),
            ...(content && resolution.kind === 'answer' ? { 'cairn.answer': resolution.answer } : {}),
          },
        });
      }
      default:
        return;
    }
  };

  private end(span: { name: string; kind: SpanKind; context: SpanContext; parent?: SpanContext; start: number; end: number; attributes: Attributes; error?: string }): void {
    const startTime = millisToHrTime(span.start);
    const endTime = millisToHrTime(Math.max(span.end, span.start));
    const readable: ReadableSpan = {
      name: span.name,
      kind: span.kind,
      spanContext: () => span.context,
      ...(span.parent ? { parentSpanContext: span.parent } : {}),
      startTime,
      endTime,
      duration: hrTimeDuration(startTime, endTime),
      status: span.error ? { code: SpanStatusCode.ERROR, message: span.error } : { code: SpanStatusCode.UNSET },
      attributes: span.error ? { ...span.attributes, 'error.type': span.error } : span.attributes,
      links: [],
      events: [],
      ended: true,
      resource: this.resource,
      instrumentationScope: scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
    this.options.processor.onEnd(readable);
  }
}

/**
 * The span context of a step of a run, as the tracer names it: an activity runs its
 * work inside it, so spans the work makes itself (an instrumented HTTP client, a
 * tool's own spans) nest under `chat` or `execute_tool`.
 */
export function stepSpanContext(run: { runId: string; rootRunId: string; traceParent?: string }, step: { chat: number } | { tool: string } | { compaction: number }): SpanContext {
  const ids = new SpanIds({ runId: run.runId, agent: '', rootRunId: run.rootRunId, ...(run.traceParent ? { traceParent: run.traceParent } : {}) });
  return ids.context('chat' in step ? ids.chat(step.chat) : 'tool' in step ? ids.tool(step.tool) : ids.compaction(step.compaction));
}

/** Span and trace ids derived from a run and its steps: the same on every worker. */
class SpanIds {
  private readonly traceId: string;
  private readonly traceParentSpan?: string;

  constructor(private readonly identity: RunEventEnvelope['run']) {
    const run = identity;
    const parent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(run.traceParent ?? '');
    this.traceId = runTraceId(run.rootRunId, run.traceParent);
    // Only the root run hangs under the client's span; a sub-agent hangs under its parent's tool call.
    this.traceParentSpan = parent && !run.parentRunId ? parent[2] : undefined;
  }

  context(spanId: string): SpanContext {
    return { traceId: this.traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: false };
  }

  runParent(): SpanContext | undefined {
    const { parentRunId, parentToolCallId } = this.identity;
    if (parentRunId && parentToolCallId) return this.context(digest(16, parentRunId, 'tool', parentToolCallId));
    return this.traceParentSpan ? { ...this.context(this.traceParentSpan), isRemote: true } : undefined;
  }

  runSpan(): string {
    return digest(16, this.identity.runId, 'run');
  }
  turn(turn: number): string {
    return digest(16, this.identity.runId, 'turn', String(turn));
  }
  chat(turn: number): string {
    return digest(16, this.identity.runId, 'chat', String(turn));
  }
  tool(callId: string): string {
    return digest(16, this.identity.runId, 'tool', callId);
  }
  /** The summarisation call that folded the messages before `through` away. */
  compaction(through: number): string {
    return digest(16, this.identity.runId, 'compaction', String(through));
  }
  wait(id: string): string {
    return digest(16, this.identity.runId, 'wait', id);
  }
}

function digest(hexChars: number, ...parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, hexChars);
}

/** Cairn's call ids are `call-<turn>-<n>`. */
function turnOf(callId: string): number {
  return Number(/^call-(\d+)-/.exec(callId)?.[1] ?? 0);
}

/** What every model call's span says: the GenAI operation, provider, model, usage, run and cost. */
function chatAttributes(event: { model: string; usage: TokenUsage; costUsd?: number }, run: RunEventEnvelope['run']) {
  const [provider, ...model] = event.model.split(':');
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': model.join(':'),
    'gen_ai.usage.input_tokens': event.usage.inputTokens,
    'gen_ai.usage.output_tokens': event.usage.outputTokens,
    'gen_ai.conversation.id': run.runId,
    'gen_ai.agent.name': run.agent,
    'cairn.run.id': run.runId,
    ...(event.costUsd !== undefined ? { 'cairn.cost_usd': event.costUsd } : {}),
  };
}

function finishReason(stopReason: StopReason): string {
  return { end_turn: 'stop', tool_calls: 'tool_calls', max_tokens: 'length', content_filter: 'content_filter', other: 'other' }[stopReason];
}

function assistantMessage(text: string, toolCalls: { id: string; name: string }[]) {
  return {
    role: 'assistant',
    parts: [...(text ? [{ type: 'text', content: text }] : []), ...toolCalls.map((call) => ({ type: 'tool_call', id: call.id, name: call.name }))],
  };
}
