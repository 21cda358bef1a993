/**
 * The agent loop, as a Temporal workflow. Each turn: one model call (an
 * activity) within what is left of the budget, then the tool calls it asked
 * for (`tool-calls.ts`), until the model answers without tools, the turn limit
 * is reached or the budget runs out (`budget-exhaustion.ts`). What a reply
 * means is decided by a pure function (`next-step.ts`); everything that watches
 * the run subscribes to its events (`run-events.ts`).
 *
 * Deterministic code only: no Node APIs, no SDKs, no tool implementations.
 * Conversations live in the transcript store; this code holds references.
 */
import { LoopChanges } from './loop-changes.ts';
import { ApplicationFailure, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { ContextFull, ModelCallRefused, TranscriptAppend } from '../activity-contract.ts';
import { loopActivities } from './loop-activities.ts';
import type { Amount, BudgetDimension } from '../budget/budget-ledger.ts';
import { calibrateInputEstimate } from '../budget/input-calibration.ts';
import { BudgetExhaustion } from './budget-exhaustion.ts';
import { HumanInbox } from './human-inbox.ts';
import { HumanWaits } from './human-waits.ts';
import { startLoopState } from './loop-state.ts';
import { nextStep } from './next-step.ts';
import { refuseForgedInput } from './payloads.ts';
import { budgetForRun, type RunBudget } from './run-budget.ts';
import { RunEvents } from './run-events.ts';
import { setRunHandlers } from './run-handlers.ts';
import { forwardToSink, runIdentity } from './run-event-sink.ts';
import type { AgentRunInput, AgentRunResult, RunOutcome } from './run-types.ts';
import { McpBreakers } from './mcp-breakers.ts';
import { Semaphore } from './semaphore.ts';
import { newRunStatus, StatusPublisher } from './status-publisher.ts';
import { structuredAnswer } from './structured-answer.ts';
import { modelCallSummary } from './summaries.ts';
import { ToolCalls } from './tool-calls.ts';

const defaults = {
  /** Beyond this many turns in one history, the loop continues as new to keep histories small. */
  turnsPerHistory: 500,
  heartbeatTimeoutMs: 30_000,
  modelCallTimeoutMs: 10 * 60_000,
  toolTimeoutMs: 10 * 60_000,
  /** How many times a final answer cut off at the output cap is continued before the run ends as `truncated`. */
  continuations: 2,
};

const continueInstruction = 'Your answer was cut off at the output limit. Continue exactly where it stopped, without repeating anything.';

export async function agentWorkflow(input: AgentRunInput): Promise<AgentRunResult> {
  refuseForgedInput(input);
  const options = { ...defaults, ...input.options };
  const runId = workflowInfo().workflowId;
  const { resolveAgent, resolveAgentLocally, callModel, compactContext, runTool, startAsyncTool, finishAsyncTool, prepareToolCall } = loopActivities(options);

  // Decided first, so that a new run's one patch marker comes before any command.
  const changes = new LoopChanges();
  const events = new RunEvents();
  const inbox = new HumanInbox();
  const status = newRunStatus({
    runId,
    agent: input.agent,
    parentRunId: input.parent?.runId,
    ...(input.resume ? { turn: input.resume.turn, usage: input.resume.usage, startedAt: input.resume.startedAt, children: input.resume.children ?? [] } : {}),
  });
  let budget: RunBudget | undefined;
  let exhaustion: BudgetExhaustion | undefined;
  const publisher = new StatusPublisher(status, inbox, () => budget?.status, changes);
  events.subscribe(publisher.apply);
  const identity = runIdentity(input);
  forwardToSink(events, identity);
  const waits = new HumanWaits(inbox, events, options.unattended === true);
  // Top-ups can arrive before the budget exists (the spec is still being resolved).
  const earlyTopUps: Amount[] = [];

  // Handlers first: a person may answer before the first turn has even run.
  setRunHandlers({
    status,
    inbox,
    publisher,
    changes,
    budget: () => budget?.status,
    topUp: (amount) => {
      if (!budget) return void earlyTopUps.push(amount);
      budget.topUp(amount);
      exhaustion?.toppedUp();
    },
  });

  const agentToResolve = options.model ? { name: input.agent, model: options.model } : input.agent;
  const { spec, specRef } =
    input.resume ??
    (changes.has('cairn-resolve-agent-locally')
      ? await resolveAgentLocally.executeWithOptions({ summary: `resolve agent ${input.agent}` }, [agentToResolve])
      : await resolveAgent.executeWithOptions({ summary: `resolve agent ${input.agent}` }, [agentToResolve]));
  const maxTurns = options.maxTurns ?? spec.maxTurns;
  const maxDepth = input.parent?.maxDepth ?? spec.maxDepth ?? 3;
  status.maxTurns = maxTurns;
  events.emit({ type: 'run_started', runId, agent: spec.name, model: spec.model, parentRunId: input.parent?.runId, turn: status.turn });

  const runBudget = budgetForRun(spec, input, options);
  for (const amount of earlyTopUps.splice(0)) runBudget.topUp(amount);
  budget = runBudget;
  const budgetExhaustion = new BudgetExhaustion(runId, runBudget, waits, events);
  exhaustion = budgetExhaustion;

  const loop = startLoopState(input);
  const stepTrace = { rootRunId: identity.rootRunId, ...(input.traceParent ? { traceParent: input.traceParent } : {}) };

  const promptToolCalls = changes.has('cairn-prompt-tool-calls');
  const toolCalls = new ToolCalls({
    runId,
    spec,
    options,
    activities: { runTool, startAsyncTool, finishAsyncTool, prepareToolCall },
    budget: runBudget,
    events,
    waits,
    toolSlots: new Semaphore(spec.toolConcurrency),
    childSlots: new Semaphore(spec.maxConcurrentChildren ?? 4),
    prompt: promptToolCalls,
    breakers: new McpBreakers(spec.mcpServers ?? []),
    depth: input.parent?.depth ?? 0,
    maxDepth,
    stepTrace,
    inputCalibration: () => loop.inputCalibration,
    onChildResult: (result) => {
      loop.inputCalibration = Math.max(loop.inputCalibration, result.inputCalibration ?? 1);
    },
  });

  for (;;) {
    const { wrapUpFor } = budgetExhaustion;
    const spent = wrapUpFor ? undefined : runBudget.exhausted();
    if (spent) {
      const after = await budgetExhaustion.onExhausted(spent);
      if (after.next === 'stop') return finish('budget_exhausted', partialResult(spent), spent);
      if (after.append) loop.append = after.append;
      continue;
    }

    const turn = status.turn + 1;
    const turnStartedAt = Date.now();
    events.emit({ type: 'model_call_started', turn, model: spec.model, wrapUp: wrapUpFor !== undefined });
    const reply = await callModel.executeWithOptions({ summary: modelCallSummary(spec.model, turn, wrapUpFor !== undefined) }, [
      {
        runId,
        trace: stepTrace,
        specRef,
        transcript: loop.transcript,
        append: loop.append,
        maxOutputTokens: spec.maxOutputTokens,
        allowance: runBudget.allowance(wrapUpFor !== undefined),
        withoutTools: wrapUpFor !== undefined,
        turn,
        inputCalibration: loop.inputCalibration,
        ...(loop.context ? { context: loop.context } : {}),
        ...(options.stream ? { stream: true } : {}),
      },
    ]);
    loop.transcript = reply.transcript;
    loop.append = [];
    // The conversation outgrew the model's window: its oldest turns are summarised, then the turn's call is made again.
    const refused = 'compact' in reply ? await compact(turn, reply.compact) : 'refused' in reply ? reply.refused : undefined;
    if (refused) {
      events.emit({ type: 'budget_refused', ...refused });
      if (wrapUpFor) return finish('budget_exhausted', partialResult(wrapUpFor), wrapUpFor);
      const after = await budgetExhaustion.onExhausted(refused.limit);
      if (after.next === 'stop') return finish('budget_exhausted', partialResult(refused.limit), refused.limit);
      if (after.append) loop.append = after.append;
      continue;
    }
    if ('compact' in reply || 'refused' in reply) continue;
    if (reply.context) loop.context = reply.context;

    const costUsd = runBudget.recordModelCall(spec.name, spec.model, reply.usage, wrapUpFor === undefined);
    // What an attempt cut off mid-stream was billed for is no measure of this request's size.
    loop.inputCalibration = calibrateInputEstimate(loop.inputCalibration, reply.estimatedInputTokens, reply.usage.inputTokens - (reply.interruptedUsage?.inputTokens ?? 0));
    loop.turnsInThisHistory += 1;
    events.emit({
      type: 'model_call_finished',
      turn,
      model: spec.model,
      ...(reply.responseModel ? { responseModel: reply.responseModel } : {}),
      usage: reply.usage,
      stopReason: reply.stopReason,
      text: reply.message.content,
      toolCalls: reply.message.toolCalls.map(({ id, name }) => ({ id, name })),
      ...(spec.price ? { costUsd } : {}),
      budget: runBudget.status,
      startedAt: turnStartedAt,
    });

    const decision = nextStep(reply, {
      turn,
      maxTurns,
      answerSoFar: loop.answerSoFar,
      continuations: loop.continuations,
      maxContinuations: options.continuations,
      wrapUpFor,
      // Structured output cut off is broken JSON: it is repaired whole rather than continued.
      continueCutOffAnswers: () => !spec.output && changes.has('cairn-continue-cut-off-answers'),
      budgetExhausted: () => runBudget.exhausted() !== undefined,
      partialResult,
    });
    if (decision.text.trim() !== '') loop.lastText = decision.text;
    const { step } = decision;
    if (step.kind === 'finish' && spec.output && (step.outcome === 'completed' || step.outcome === 'truncated' || reply.outputCheck?.valid)) {
      const answer = structuredAnswer(reply.outputCheck, { agent: spec.name, output: spec.output, repairsSoFar: loop.outputRepairs, turnsLeft: turn < maxTurns });
      events.emit({ type: 'turn_finished', turn, startedAt: turnStartedAt });
      if (answer.kind === 'invalid') throw ApplicationFailure.create({ type: 'InvalidOutput', nonRetryable: true, message: answer.message });
      if (answer.kind === 'repair') {
        loop.outputRepairs += 1;
        loop.append = [{ role: 'user', content: answer.request }];
        continue;
      }
      const { value, valueRef } = answer;
      return finish(step.outcome === 'truncated' ? 'completed' : step.outcome, answer.output, step.exhaustedLimit, valueRef, { value, valueRef });
    }
    if (step.kind === 'finish') {
      events.emit({ type: 'turn_finished', turn, startedAt: turnStartedAt });
      return finish(step.outcome, step.output, step.exhaustedLimit, step.outputRef);
    }
    if (step.kind === 'continue_answer') {
      events.emit({ type: 'turn_finished', turn, startedAt: turnStartedAt });
      loop.continuations += 1;
      loop.answerSoFar = step.answerSoFar;
      loop.append = [{ role: 'user', content: continueInstruction }];
      continue;
    }
    loop.answerSoFar = '';

    events.emit({ type: 'tool_calls_started', turn, calls: step.calls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })) });
    const toolsStartedAt = Date.now();
    const delegations = step.calls.filter((call) => spec.tools.find((tool) => tool.name === call.name)?.kind === 'sub_agent').length;
    const running = step.calls.map((call) => {
      // Taken in call order, before anything runs: which calls fit does not depend on timing.
      if (!runBudget.takeToolCall()) {
        events.emit({ type: 'tool_call_finished', id: call.id, name: call.name, isError: true, preview: 'Not run: the tool-call budget of this run is used up.', startedAt: toolsStartedAt });
        return Promise.resolve<TranscriptAppend>({ role: 'tool', toolCallId: call.id, toolName: call.name, content: 'Not run: the tool-call budget of this run is used up.', isError: true });
      }
      return toolCalls.run(call, delegations, toolsStartedAt);
    });
    // Most turns make one call: awaited alone, it costs three promises fewer than Promise.all.
    loop.append = running.length === 1 && promptToolCalls ? [await running[0]!] : await Promise.all(running);
    events.emit({ type: 'turn_finished', turn, startedAt: turnStartedAt });

    if (loop.turnsInThisHistory >= options.turnsPerHistory || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof agentWorkflow>({
        ...input,
        resume: {
          spec,
          specRef,
          transcript: loop.transcript,
          pendingAppend: loop.append,
          turn: status.turn,
          usage: status.usage,
          startedAt: status.startedAt,
          budget: runBudget.state,
          children: status.children,
          inputCalibration: loop.inputCalibration,
          ...(loop.context ? { context: loop.context } : {}),
        },
      });
    }
  }

  /** A summarisation call within the budget, counted in it; what refused it, if the budget did. */
  async function compact(turn: number, request: ContextFull['compact']): Promise<ModelCallRefused['refused'] | undefined> {
    const startedAt = Date.now();
    const compacted = await compactContext.executeWithOptions({ summary: `summarise messages ${Math.max(1, loop.context?.summarizedThrough ?? 0)}-${request.through - 1} to fit ${spec.model}'s window` }, [
      {
        runId,
        trace: stepTrace,
        specRef,
        transcript: loop.transcript,
        context: request.context,
        through: request.through,
        allowance: runBudget.allowance(false),
        inputCalibration: loop.inputCalibration,
      },
    ]);
    if ('refused' in compacted) return compacted.refused;
    const costUsd = runBudget.recordModelCall(spec.name, spec.model, compacted.usage, false);
    loop.inputCalibration = calibrateInputEstimate(loop.inputCalibration, compacted.estimatedInputTokens, compacted.usage.inputTokens);
    loop.context = compacted.context;
    events.emit({ type: 'context_compacted', turn, model: spec.model, through: request.through, usage: compacted.usage, ...(spec.price ? { costUsd } : {}), startedAt });
    return undefined;
  }

  function finish(outcome: RunOutcome, output: string, exhaustedLimit?: BudgetDimension, outputRef?: string, structured: { value?: unknown; valueRef?: string } = {}): AgentRunResult {
    events.emit({ type: 'run_finished', outcome, output, exhaustedLimit, usage: status.usage, startedAt: status.startedAt, costUsd: runBudget.costUsd, budget: runBudget.status });
    return {
      runId,
      agent: spec.name,
      status: outcome,
      output,
      ...(outputRef ? { outputRef } : {}),
      ...(structured.value !== undefined ? { value: structured.value } : {}),
      ...(structured.valueRef ? { valueRef: structured.valueRef } : {}),
      turns: status.turn,
      usage: status.usage,
      transcript: loop.transcript,
      children: status.children,
      exhaustedLimit,
      costUsd: runBudget.costUsd,
      usageByAgent: runBudget.byAgent,
      usageByModel: runBudget.byModel,
      budget: runBudget.status,
      inputCalibration: loop.inputCalibration,
    };
  }

  /** The best answer there is when the budget ends the run early. */
  function partialResult(limit: BudgetDimension): string {
    const header = `[Partial result: the ${limit} budget ran out before a final answer.]`;
    if (loop.lastText) return `${header}\n\n${loop.lastText}`;
    const findings = status.toolCalls.filter((call) => call.state === 'done' && call.preview).map((call) => `- ${call.name}: ${call.preview}`);
    return findings.length > 0 ? `${header}\n\nLast results:\n${findings.join('\n')}` : header;
  }
}
