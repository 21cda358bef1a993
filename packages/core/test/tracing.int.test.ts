/**
 * Every run is traced: the run, each turn, each model call, each tool call, each
 * wait for a person, and each sub-agent's run under the call that started it,
 * with the GenAI semantic conventions' attributes. The spans come from the run's
 * events, which also reach any subscriber of the worker.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, eventually, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { askHuman, defineAgent, defineTool } from '../src/index.ts';
import { pay } from './fixtures/invoice-run.ts';
import type { RunEventEnvelope } from '../src/telemetry/index.ts';

const lookup = defineTool({ name: 'lookup', description: 'Looks an invoice up.', input: z.object({ invoice: z.string() }), execute: ({ invoice }) => `${invoice}: 120 EUR` });
/** A tool that makes a span of its own, with whatever tracer the application set up. */
const audit = defineTool({
  name: 'audit',
  description: 'Audits the books.',
  input: z.object({}),
  execute: () => trace.getTracer('app').startActiveSpan('read the ledger', (span) => (span.end(), 'books balance')),
});
const auditor = defineAgent({ name: 'auditor', model: 'openai:gpt-test', instructions: 'Audit.', tools: [audit] });
const clerk = defineAgent({ name: 'clerk', model: 'anthropic:claude-haiku-4-5', instructions: 'Find invoices.' });
const accountant = defineAgent({ name: 'accountant', model: 'openai:gpt-4o-mini', instructions: 'Pay what is due.', tools: [lookup, pay, askHuman()], subAgents: [clerk], budget: { tokens: 100_000 } });

function model(request: MockRequest): ScriptedReply {
  if (request.system === 'Find invoices.') return { text: 'INV-7 is due.', usage: { inputTokens: 300, outputTokens: 20, cachedInputTokens: 100 } };
  const results = toolResults(request);
  const usage = { inputTokens: 1_000, outputTokens: 100, cachedInputTokens: 400 };
  if (results.length === 0) return { toolCalls: [{ name: 'delegate_to_clerk', arguments: { task: 'Which invoice is due?' } }], usage };
  if (results.length === 1) return { toolCalls: [{ name: 'lookup', arguments: { invoice: 'INV-7' } }, { name: 'ask_human', arguments: { question: 'Pay it now?' } }], usage };
  if (results.length === 3) return { toolCalls: [{ name: 'pay', arguments: { invoice: 'INV-7', amount: 120 } }], usage };
  return { text: 'Paid INV-7.', usage };
}

describe('tracing', { timeout: 60_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  const exporter = new InMemorySpanExporter();
  const envelopes: RunEventEnvelope[] = [];
  let runId: string;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({
      agents: [accountant, clerk, auditor],
      mock,
      tracing: { processor: new SimpleSpanProcessor({ exporter }) },
      onRunEvent: (envelope) => envelopes.push(envelope),
    });
    ({ runId } = await stack.client.start('accountant', 'Pay whatever invoice is due.'));
    await eventually(async () => ((await stack.client.pending(runId)).length > 0 ? true : undefined), 'the question');
    await stack.client.answer(runId, 'yes');
    await eventually(async () => ((await stack.client.pending(runId))[0]?.kind === 'approval' ? true : undefined), 'the approval');
    await stack.client.decide(runId, { approved: true });
    await stack.client.result(runId);
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('emits one event per step, which any subscriber of the worker receives', () => {
    const ours = envelopes.filter((envelope) => envelope.run.runId === runId).map((envelope) => envelope.event.type);
    // Each turn: the model call, then its tool calls (which finish in whatever order they do), then the turn's end.
    const turns: string[][] = [];
    for (const type of ours.slice(1, -1)) {
      if (type === 'model_call_started') turns.push([]);
      turns.at(-1)!.push(type);
    }
    expect(ours[0]).toBe('run_started');
    expect(ours.at(-1)).toBe('run_finished');
    expect(turns.map((turn) => turn.slice(0, 2))).toEqual(Array(4).fill(['model_call_started', 'model_call_finished']));
    expect(turns.map((turn) => turn.at(-1))).toEqual(Array(4).fill('turn_finished'));
    expect(turns.map((turn) => turn.slice(2, -1).sort())).toEqual([
      ['child_settled', 'child_started', 'tool_call_finished', 'tool_call_started', 'tool_calls_started'],
      ['human_wait_opened', 'human_wait_resolved', 'tool_call_finished', 'tool_call_finished', 'tool_call_started', 'tool_calls_started'],
      ['human_wait_opened', 'human_wait_resolved', 'tool_call_finished', 'tool_call_started', 'tool_calls_started'],
      [],
    ]);
    // A person's wait opens before it is resolved, and a call starts before it finishes.
    const second = turns[1]!;
    expect(second.indexOf('human_wait_opened')).toBeLessThan(second.indexOf('human_wait_resolved'));
    expect(second.indexOf('tool_calls_started')).toBe(2);
  });

  it('builds the span tree: run → turns → model calls and tool calls → waits and the sub-agent’s run', () => {
    const spans = exporter.getFinishedSpans().filter((span) => span.attributes['cairn.run.id'] === runId || span.attributes['cairn.run.id'] === `${runId}.call-1-1`);
    const byId = new Map(spans.map((span) => [span.spanContext().spanId, span]));
    const tree = (span: ReadableSpan, depth = 0): string[] => [
      `${'  '.repeat(depth)}${span.name}`,
      ...spans
        .filter((child) => child.parentSpanContext?.spanId === span.spanContext().spanId)
        .sort((a, b) => a.startTime[0] - b.startTime[0] || a.startTime[1] - b.startTime[1] || a.name.localeCompare(b.name))
        .flatMap((child) => tree(child, depth + 1)),
    ];
    const roots = spans.filter((span) => !span.parentSpanContext || !byId.has(span.parentSpanContext.spanId));
    expect(roots.map((span) => span.name)).toEqual(['invoke_agent accountant']);
    expect(new Set(spans.map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(tree(roots[0]!)).toEqual([
      'invoke_agent accountant',
      '  turn 1',
      '    chat gpt-4o-mini',
      '    execute_tool delegate_to_clerk',
      '      invoke_agent clerk',
      '        turn 1',
      '          chat claude-haiku-4-5',
      '  turn 2',
      '    chat gpt-4o-mini',
      '    execute_tool ask_human',
      '      human_wait question',
      '    execute_tool lookup',
      '  turn 3',
      '    chat gpt-4o-mini',
      '    execute_tool pay',
      '      human_wait approval',
      '  turn 4',
      '    chat gpt-4o-mini',
    ]);
  });

  it('sets the GenAI attributes from the model’s usage, and Cairn’s own', () => {
    const spans = exporter.getFinishedSpans();
    const chat = spans.find((span) => span.name === 'chat gpt-4o-mini' && span.attributes['cairn.run.id'] === runId && span.attributes['cairn.turn'] === 1)!;
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1_000,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.usage.cache_read.input_tokens': 400,
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'gen_ai.agent.name': 'accountant',
      'gen_ai.conversation.id': runId,
    });
    // gpt-4o-mini: 0.15 per million uncached input, 0.075 cached, 0.60 output.
    expect(chat.attributes['cairn.cost_usd']).toBeCloseTo((600 * 0.15 + 400 * 0.075 + 100 * 0.6) / 1e6, 10);
    expect(chat.attributes['cairn.budget.remaining_tokens']).toBeLessThan(100_000);
    const clerkChat = spans.find((span) => span.name === 'chat claude-haiku-4-5' && span.attributes['cairn.run.id'] === `${runId}.call-1-1`)!;
    expect(clerkChat.attributes).toMatchObject({ 'gen_ai.provider.name': 'anthropic', 'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.cache_read.input_tokens': 100 });

    const tool = spans.find((span) => span.name === 'execute_tool lookup' && span.attributes['cairn.run.id'] === runId)!;
    expect(tool.attributes).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup', 'gen_ai.tool.call.id': 'call-2-1' });
    const approval = spans.find((span) => span.name === 'human_wait approval' && span.attributes['cairn.run.id'] === runId)!;
    expect(approval.attributes).toMatchObject({ 'cairn.wait.kind': 'approval', 'cairn.wait.resolved_by': 'human', 'cairn.approval.approved': true, 'gen_ai.tool.name': 'pay' });
    const run = spans.find((span) => span.name === 'invoke_agent accountant' && span.attributes['cairn.run.id'] === runId)!;
    expect(run.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'accountant', 'cairn.outcome': 'completed', 'gen_ai.usage.output_tokens': 420 });
    // Content stays out unless asked for.
    expect(spans.filter((span) => Object.keys(span.attributes).some((key) => key === 'gen_ai.output.messages' || key === 'gen_ai.tool.call.arguments' || key === 'cairn.question'))).toEqual([]);
  });

  it('continues the trace of the span that started the run, and nests a tool’s own spans under its call', async () => {
    // The application's own tracing: a context manager and a provider, as an app that uses OpenTelemetry has.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const appExporter = new InMemorySpanExporter();
    const tracer = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: appExporter })] }).getTracer('app');
    try {
      mock.script({ text: 'Nothing is due.' });
      const started = await tracer.startActiveSpan('handle request', async (span) => {
        const run = await stack.client.start('clerk', 'Anything due?');
        span.end();
        return run;
      });
      await stack.client.result(started.runId);
      const [request] = appExporter.getFinishedSpans();
      const runSpan = exporter.getFinishedSpans().find((span) => span.name === 'invoke_agent clerk' && span.attributes['cairn.run.id'] === started.runId)!;
      expect(runSpan.spanContext().traceId).toBe(request!.spanContext().traceId);
      expect(runSpan.parentSpanContext?.spanId).toBe(request!.spanContext().spanId);

      // A tool's own spans nest under its execute_tool span (the activity runs it in that context).
      trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: appExporter })] }));
      mock.script({ toolCalls: [{ name: 'audit', arguments: {} }] }, { text: 'Audited.' });
      const audited = await stack.client.start('auditor', 'Audit the books.');
      await stack.client.result(audited.runId);
      const ledgerRead = appExporter.getFinishedSpans().find((span) => span.name === 'read the ledger')!;
      const toolSpan = exporter.getFinishedSpans().find((span) => span.name === 'execute_tool audit' && span.attributes['cairn.run.id'] === audited.runId)!;
      expect(ledgerRead.parentSpanContext?.spanId).toBe(toolSpan.spanContext().spanId);
      expect(ledgerRead.spanContext().traceId).toBe(toolSpan.spanContext().traceId);
    } finally {
      context.disable();
      trace.disable();
    }
  });
});
