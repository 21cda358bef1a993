/**
 * The agent loop, as a Temporal workflow. Each turn: one model call (an
 * activity) within what is left of the budget, then the tool calls it asked
 * for — plain tools as activities, questions and approvals as waits for a
 * person, delegations as child workflows with a slice of the budget — until the
 * model answers without tools, the turn limit is reached or the budget runs out.
 *
 * Deterministic code only: no Node APIs, no SDKs, no tool implementations.
 * Conversations live in the transcript store; this code holds references.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  ParentClosePolicy,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { CairnActivities, TranscriptAppend } from '../activity-contract.ts';
import { nonRetryableFailureTypes } from '../activity-contract.ts';
import type { ToolSpec } from '../agent/spec.ts';
import type { BudgetDimension } from '../budget/budget-ledger.ts';
import { defaultBudgetPolicy } from '../budget/budget-policy.ts';
import { calibrateInputEstimate } from '../budget/input-calibration.ts';
import { addUsage, zeroUsage, type ToolCall } from '../messages.ts';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import { claimedTextNote, formatBytes, maxInlineBytes, type ClaimedToolCall } from '../transcript/claim-check.ts';
import { emptyTranscript, type TranscriptRef } from '../transcript/transcript-store.ts';
import { addBudgetSignal, answerSignal, answerUpdate, approveSignal, decideUpdate, denySignal, statusQuery } from './definitions.ts';
import { failureMessage } from './failure-message.ts';
import { HumanInbox, type PendingItem, type Resolution } from './human-inbox.ts';
import { approvePayload, denyPayload, parseAmount, parseAnswer, parseDecision, parsePayload } from './payloads.ts';
import { parseBudgetAmount, RunBudget } from './run-budget.ts';
import type { AgentRunInput, AgentRunResult, ChildRun, RunOutcome, RunState, RunStatus, ToolCallStatus } from './run-types.ts';
import { Semaphore } from './semaphore.ts';
import { currentDetails, modelCallSummary, runDetails, runSummary, toolCallSummary } from './summaries.ts';

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

/** Rejections kept in the memo: enough to explain the last few mistakes, never a growing list. */
const maxPublishedRejections = 10;

export const unattendedAnswer = 'No human is available to answer; proceed with your best judgement and say what you assumed.';

const wrapUpInstruction = (limit: BudgetDimension) =>
  `Your ${limit === 'usd' ? 'cost' : limit === 'toolCalls' ? 'tool-call' : limit === 'turns' ? 'turn' : 'token'} budget is used up. Do not call tools. Write your final answer now from what you have, and say plainly what is missing or unverified.`;

export async function agentWorkflow(input: AgentRunInput): Promise<AgentRunResult> {
  const options = { ...defaults, ...input.options };
  const runId = workflowInfo().workflowId;
  const retry: ActivityOptions['retry'] = {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...nonRetryableFailureTypes],
  };
  const { resolveAgent, prepareToolCall } = proxyActivities<CairnActivities>({ startToCloseTimeout: '1m', retry });
  const { callModel } = proxyActivities<CairnActivities>({ startToCloseTimeout: options.modelCallTimeoutMs, heartbeatTimeout: options.heartbeatTimeoutMs, retry });
  const { runTool } = proxyActivities<CairnActivities>({ startToCloseTimeout: options.toolTimeoutMs, heartbeatTimeout: options.heartbeatTimeoutMs, retry });

  const inbox = new HumanInbox();
  const status: RunStatus = {
    runId,
    agent: input.agent,
    state: 'starting',
    turn: input.resume?.turn ?? 0,
    usage: input.resume?.usage ?? zeroUsage(),
    startedAt: input.resume?.startedAt ?? Date.now(),
    toolCalls: [],
    pending: [],
    children: input.resume?.children ?? [],
    rejected: [],
    parentRunId: input.parent?.runId,
  };
  // Top-ups can arrive before the budget exists (the spec is still being resolved).
  const earlyTopUps: Parameters<RunBudget['topUp']>[0][] = [];
  let budget: RunBudget | undefined;

  // Handlers first: a person may answer before the first turn has even run.
  setHandler(statusQuery, () => ({ ...status, budget: budget?.status }));
  // Payloads come from anyone who can reach the server: each is checked before it touches the run.
  setHandler(answerUpdate, (answer) => inbox.answer(parseAnswer(answer)), { validator: (answer) => inbox.validateAnswer(parseAnswer(answer)) });
  setHandler(decideUpdate, (decision) => inbox.decide(parseDecision(decision)), { validator: (decision) => inbox.validateDecision(parseDecision(decision)) });
  setHandler(answerSignal, (answer) => recordRejection(() => inbox.answer(parseAnswer(answer))));
  setHandler(approveSignal, (payload) =>
    recordRejection(() => {
      const { callId, arguments: edited } = parsePayload(approvePayload, payload, 'approval');
      inbox.decide({ callId, approved: true, arguments: edited });
    }),
  );
  setHandler(denySignal, (payload) =>
    recordRejection(() => {
      const { callId, reason } = parsePayload(denyPayload, payload, 'denial');
      inbox.decide({ callId, approved: false, reason });
    }),
  );
  setHandler(addBudgetSignal, (payload) =>
    recordRejection(() => {
      const amount = parseAmount(payload);
      if (budget) budget.topUp(amount);
      else earlyTopUps.push(amount);
      const question = inbox.pending.find((item) => item.id.startsWith('budget-'));
      if (question) inbox.answer({ questionId: question.id, answer: `Budget added: ${JSON.stringify(amount)}` });
    }),
  );

  function recordRejection(apply: () => void): void {
    try {
      apply();
    } catch (error) {
      status.rejected.push({ at: Date.now(), message: (error as Error).message });
      // Published too, so a CLI shows what was not taken even while no worker runs.
      if (patched('cairn-rejections-in-memo')) upsertMemo({ rejected: status.rejected.slice(-maxPublishedRejections) });
    }
  }

  let state: RunState = 'starting';
  const setState = (next: RunState) => {
    status.state = next;
    if (next !== state) upsertSearchAttributes([{ key: CairnSearchAttributes.state, value: next }]);
    state = next;
    // Not a command: the Web UI reads it through a query, so it costs history nothing.
    setCurrentDetails(currentDetails({ ...status, budget: budget?.status }));
  };

  const { spec, specRef } =
    input.resume ?? (await resolveAgent.executeWithOptions({ summary: `resolve agent ${input.agent}` }, [options.model ? { name: input.agent, model: options.model } : input.agent]));
  const maxTurns = options.maxTurns ?? spec.maxTurns;
  const maxDepth = input.parent?.maxDepth ?? spec.maxDepth ?? 3;
  const depth = input.parent?.depth ?? 0;
  status.model = spec.model;
  status.maxTurns = maxTurns;

  const policy = spec.budget ?? defaultBudgetPolicy();
  const limits = input.budget
    ? { ...policy.limits, tokens: Math.min(policy.limits.tokens, input.budget.tokens), usd: spec.price ? input.budget.usd : undefined }
    : { ...policy.limits, ...options.budget };
  budget = new RunBudget(policy, limits, spec.price, input.resume?.budget);
  if (budget.unpricedUsdLimit) {
    throw ApplicationFailure.create({
      type: 'InvalidDefinition',
      nonRetryable: true,
      message: `A USD budget needs a price for ${spec.model}, and Cairn has none. Add it to defineConfig({ prices: { '${spec.model}': { inputPerMillion, outputPerMillion } } }), or budget in tokens.`,
    });
  }
  for (const amount of earlyTopUps.splice(0)) budget.topUp(amount);
  const runBudget = budget;

  const toolSlots = new Semaphore(spec.toolConcurrency);
  const childSlots = new Semaphore(spec.maxConcurrentChildren ?? 4);
  let transcript: TranscriptRef = input.resume?.transcript ?? emptyTranscript;
  let append: TranscriptAppend[] = input.resume?.pendingAppend ?? [input.inputRef ? { role: 'user', contentRef: input.inputRef } : { role: 'user', content: input.input }];
  let turnsInThisHistory = 0;
  let inputCalibration = input.resume?.inputCalibration ?? input.inputCalibration ?? 1;
  let lastText = '';
  /** A final answer cut off at the output cap, while the model continues it. */
  let cutOff = '';
  let continuations = 0;
  let budgetQuestions = 0;
  /** Set once the wrap-up call has been granted: the next model call is the last. */
  let wrapUpFor: BudgetDimension | undefined;

  for (;;) {
    const spent = wrapUpFor ? undefined : runBudget.exhausted();
    if (spent) {
      const next = await onExhausted(spent);
      if (next === 'stop') return finish('budget_exhausted', partialResult(spent), spent);
      continue;
    }

    setState(wrapUpFor ? 'wrapping_up' : 'calling_model');
    const reply = await callModel.executeWithOptions({ summary: modelCallSummary(spec.model, status.turn + 1, wrapUpFor !== undefined) }, [
      {
        runId,
        specRef,
        transcript,
        append,
        maxOutputTokens: spec.maxOutputTokens,
        allowance: runBudget.allowance(wrapUpFor !== undefined),
        withoutTools: wrapUpFor !== undefined,
        turn: status.turn + 1,
        inputCalibration,
      },
    ]);
    transcript = reply.transcript;
    append = [];
    if ('refused' in reply) {
      if (wrapUpFor) return finish('budget_exhausted', partialResult(wrapUpFor), wrapUpFor);
      const next = await onExhausted(reply.refused.limit);
      if (next === 'stop') return finish('budget_exhausted', partialResult(reply.refused.limit), reply.refused.limit);
      continue;
    }

    runBudget.recordModelCall(spec.name, spec.model, reply.usage, wrapUpFor === undefined);
    inputCalibration = calibrateInputEstimate(inputCalibration, reply.estimatedInputTokens, reply.usage.inputTokens);
    status.turn += 1;
    turnsInThisHistory += 1;
    status.usage = addUsage(status.usage, reply.usage);
    const { toolCalls, contentRef, contentBytes } = reply.message;
    // A reply too large for history comes by key: the answer is its beginning, a note, and the key.
    const answer = contentRef ? `${reply.message.content}\n\n${claimedTextNote(contentBytes ?? 0, contentRef)}` : reply.message.content;
    const text = toolCalls.length === 0 ? cutOff + answer : answer;
    if (text.trim() !== '') lastText = text;
    const outputRef = cutOff === '' ? contentRef : undefined;

    if (wrapUpFor) return finish('budget_exhausted', text || partialResult(wrapUpFor), wrapUpFor, outputRef);
    if (toolCalls.length === 0) {
      if (reply.stopReason !== 'max_tokens' || !patched('cairn-continue-cut-off-answers')) return finish('completed', text, undefined, outputRef);
      // Cut off mid-answer: ask for the rest while turns and budget allow, else say it was cut off.
      // An answer already too large for history is not made larger.
      if (contentRef || continuations >= options.continuations || status.turn >= maxTurns || runBudget.exhausted()) return finish('truncated', text, undefined, outputRef);
      continuations += 1;
      cutOff = text;
      append = [{ role: 'user', content: continueInstruction }];
      continue;
    }
    cutOff = '';
    if (status.turn >= maxTurns) return finish('max_turns', answer, undefined, contentRef);

    setState('running_tools');
    status.toolCalls = toolCalls.map((call): ToolCallStatus => ({ id: call.id, name: call.name, state: 'queued' }));
    const delegations = toolCalls.filter((call) => toolSpec(call)?.kind === 'sub_agent').length;
    append = await Promise.all(
      toolCalls.map((call, index) => {
        const view = status.toolCalls[index]!;
        // Taken in call order, before anything runs: which calls fit does not depend on timing.
        if (!runBudget.takeToolCall()) return Promise.resolve(toolResult(call, view, 'Not run: the tool-call budget of this run is used up.', true));
        return handleToolCall(call, view, delegations);
      }),
    );

    if (turnsInThisHistory >= options.turnsPerHistory || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof agentWorkflow>({
        ...input,
        resume: {
          spec,
          specRef,
          transcript,
          pendingAppend: append,
          turn: status.turn,
          usage: status.usage,
          startedAt: status.startedAt,
          budget: runBudget.state,
          children: status.children,
          inputCalibration,
        },
      });
    }
  }

  function finish(outcome: RunOutcome, output: string, exhaustedLimit?: BudgetDimension, outputRef?: string): AgentRunResult {
    status.output = output;
    status.exhaustedLimit = exhaustedLimit;
    setState(outcome);
    return {
      runId,
      agent: spec.name,
      status: outcome,
      output,
      ...(outputRef ? { outputRef } : {}),
      turns: status.turn,
      usage: status.usage,
      transcript,
      children: status.children,
      exhaustedLimit,
      costUsd: runBudget.costUsd,
      usageByAgent: runBudget.byAgent,
      usageByModel: runBudget.byModel,
      budget: runBudget.status,
      inputCalibration,
    };
  }

  /** The best answer there is when the budget ends the run early. */
  function partialResult(limit: BudgetDimension): string {
    const header = `[Partial result: the ${limit} budget ran out before a final answer.]`;
    if (lastText) return `${header}\n\n${lastText}`;
    const findings = status.toolCalls.filter((call) => call.state === 'done' && call.preview).map((call) => `- ${call.name}: ${call.preview}`);
    return findings.length > 0 ? `${header}\n\nLast results:\n${findings.join('\n')}` : header;
  }

  /** Applies the agent's exhaustion behaviour: 'retry' after a top-up or when the wrap-up call is granted, else 'stop'. */
  async function onExhausted(limit: BudgetDimension): Promise<'retry' | 'stop'> {
    switch (policy.onExhausted) {
      case 'stop':
        return 'stop';
      case 'wrapUp':
        if (wrapUpFor) return 'stop';
        wrapUpFor = limit;
        append = [{ role: 'user', content: wrapUpInstruction(limit) }];
        return 'retry';
      case 'ask': {
        budgetQuestions += 1;
        const used = runBudget.status.used[limit];
        const question = `The ${limit} budget of this run is used up (${Math.round(used * 100) / 100} of ${runBudget.ledger.limits[limit]}). Add more with 'cairn budget add ${runId} <amount>' (for example 100k or $1), or answer 'stop' to end with what there is.`;
        const resolution = await waitForHuman({ kind: 'question', id: `budget-${budgetQuestions}`, question, askedAt: Date.now() }, undefined, () => ({
          kind: 'answer',
          answer: 'stop',
          by: 'timeout',
        }));
        if (resolution.kind === 'answer' && !resolution.answer.startsWith('Budget added')) {
          const amount = parseBudgetAmount(resolution.answer);
          if (!amount) return 'stop';
          runBudget.topUp(amount);
        }
        return 'retry';
      }
    }
  }

  function toolSpec(call: ToolCall): ToolSpec | undefined {
    return spec.tools.find((candidate) => candidate.name === call.name);
  }

  function toolResult(call: ClaimedToolCall, view: ToolCallStatus, content: string, isError: boolean): TranscriptAppend {
    view.state = isError ? 'error' : 'done';
    view.preview = content.slice(0, 280);
    return { role: 'tool', toolCallId: call.id, toolName: call.name, content, isError };
  }

  async function handleToolCall(call: ClaimedToolCall, view: ToolCallStatus, delegations: number): Promise<TranscriptAppend> {
    const tool = toolSpec(call);
    // Questions and tasks are read here, in the workflow, so they must fit in history.
    if (call.argumentsRef && (tool?.kind === 'ask_human' || tool?.kind === 'sub_agent')) {
      const what = tool.kind === 'ask_human' ? 'question' : `task for '${tool.agent}'`;
      return toolResult(call, view, `Not run: the ${what} is ${formatBytes(call.argumentsBytes ?? 0)}, and may be at most ${formatBytes(maxInlineBytes)}. Say it shorter; name large material (a file, a source) instead of including it.`, true);
    }
    switch (tool?.kind) {
      case 'ask_human': {
        const question = parseQuestion(call.arguments);
        if (typeof question === 'string') return toolResult(call, view, question, true);
        view.state = 'waiting_for_human';
        const resolution = await waitForHuman(
          { kind: 'question', id: call.id, ...question, askedAt: Date.now(), timeoutAt: timeoutAt(tool.timeoutMs) },
          tool.timeoutMs,
          () => ({ kind: 'answer', answer: options.unattended ? unattendedAnswer : tool.defaultAnswer, by: options.unattended ? 'unattended' : 'timeout' }),
        );
        return toolResult(call, view, resolution.kind === 'answer' ? resolution.answer : '', false);
      }
      case 'sub_agent': {
        const outcome = await delegate(call, view, tool, delegations);
        if (!outcome.contentRef) return toolResult(call, view, outcome.content, outcome.isError);
        // An answer too large for history reaches the model from the blob store, with the parent's note.
        view.state = 'done';
        view.preview = outcome.content.slice(0, 280);
        return { role: 'tool', toolCallId: call.id, toolName: call.name, isError: false, contentRef: outcome.contentRef, ...(outcome.suffix ? { suffix: outcome.suffix } : {}) };
      }
      default: {
        if (tool?.internal) return toolResult(call, view, `There is no tool named '${call.name}'.`, true);
        let args = call.arguments;
        if (tool?.approval) {
          const prepared = await prepareToolCall.executeWithOptions({ summary: `check before approval: ${toolCallSummary(call)}` }, [
            { agent: spec.name, toolName: call.name, arguments: call.arguments, ...(call.argumentsRef ? { argumentsRef: call.argumentsRef } : {}) },
          ]);
          if (!prepared.ok) return toolResult(call, view, prepared.error, true);
          if (prepared.needsApproval) {
            view.state = 'waiting_for_human';
            const decision = await waitForHuman(
              { kind: 'approval', id: call.id, tool: call.name, arguments: prepared.arguments ?? prepared.argumentsPreview, askedAt: Date.now(), timeoutAt: timeoutAt(tool.approvalTimeoutMs) },
              tool.approvalTimeoutMs,
              () => ({ kind: 'decision', approved: tool.onApprovalTimeout === 'approve', reason: 'no decision came in time', by: 'timeout' }),
            );
            if (decision.kind === 'decision' && !decision.approved) {
              return toolResult(call, view, `The user denied this call to '${call.name}'${decision.reason ? `: ${decision.reason}` : '.'} Do not retry it unchanged.`, true);
            }
            if (decision.kind === 'decision' && decision.arguments !== undefined) args = JSON.stringify(decision.arguments);
          }
        }
        const argumentsRef = args === call.arguments ? call.argumentsRef : undefined;
        return toolSlots.run(async () => {
          view.state = 'running';
          const result = await runTool.executeWithOptions({ summary: toolCallSummary({ ...call, arguments: args, argumentsRef }) }, [
            {
              runId,
              agent: spec.name,
              toolCallId: call.id,
              toolName: call.name,
              arguments: args,
              ...(argumentsRef ? { argumentsRef } : {}),
              ...(options.toolSettings ? { settings: options.toolSettings } : {}),
            },
          ]);
          view.state = result.isError ? 'error' : 'done';
          view.preview = result.preview;
          return { role: 'tool', toolCallId: call.id, toolName: call.name, isError: result.isError, contentRef: result.contentRef };
        });
      }
    }
  }

  /** Records the item, waits for a person (or the timeout, or nobody when unattended), and returns the resolution. */
  async function waitForHuman(item: PendingItem, timeoutMs: number | undefined, fallback: () => Resolution): Promise<Resolution> {
    if (item.kind === 'question' && options.unattended) return fallback();
    const stateBefore = state;
    inbox.add(item);
    publishPending();
    const resolved = timeoutMs === undefined ? (await condition(() => inbox.resolution(item.id) !== undefined), true) : await condition(() => inbox.resolution(item.id) !== undefined, timeoutMs);
    if (!resolved) {
      const applied = fallback();
      if (applied.kind === 'answer') inbox.answer({ questionId: item.id, answer: applied.answer }, 'timeout');
      else inbox.decide({ callId: item.id, approved: applied.approved, reason: applied.reason }, 'timeout');
    }
    publishPending(stateBefore);
    return inbox.resolution(item.id)!;
  }

  /**
   * Pending items go into the memo and a search attribute as well as the status
   * query: a CLI can then list and check them across runs without any worker.
   */
  function publishPending(resumeState: RunState = 'running_tools'): void {
    status.pending = inbox.pending;
    upsertMemo({ pending: status.pending });
    upsertSearchAttributes([{ key: CairnSearchAttributes.waitingForHuman, value: status.pending.length > 0 }]);
    if (status.pending.length > 0) setState('waiting_for_human');
    else if (state === 'waiting_for_human') setState(resumeState === 'waiting_for_human' ? 'running_tools' : resumeState);
  }

  async function delegate(
    call: ToolCall,
    view: ToolCallStatus,
    tool: Extract<ToolSpec, { kind: 'sub_agent' }>,
    delegations: number,
  ): Promise<DelegationOutcome> {
    const task = parseTask(call.arguments);
    if (task === undefined) return { content: `Invalid arguments for '${call.name}': expected {"task": "<what the sub-agent should do>"}.`, isError: true };
    if (depth + 1 > maxDepth) {
      return { content: `Cannot delegate to '${tool.agent}': sub-agents may nest at most ${maxDepth} levels deep. Do the task yourself.`, isError: true };
    }
    // Derived from this run and the tool call: a replayed or retried parent finds the same child, never a second one.
    const child: ChildRun = { runId: `${runId}.${call.id}`, agent: tool.agent, toolCallId: call.id, state: 'queued' };
    status.children.push(child);
    return childSlots.run(async () => {
      // The slice is carved when the child can start, from what remains then.
      const reservation = `child:${call.id}`;
      const slice = runBudget.reserveChild(reservation, delegations);
      if (!slice.ok) {
        status.children.splice(status.children.indexOf(child), 1);
        return { content: `Not delegated to '${tool.agent}': ${slice.reason}. Work with what you have.`, isError: true };
      }
      view.state = 'running';
      Object.assign(child, { state: 'running', budget: slice.limits });
      return runChild(child, task, reservation, slice.limits);
    });
  }

  async function runChild(child: ChildRun, task: string, reservation: string, slice: ChildRun['budget']): Promise<DelegationOutcome> {
    try {
      const result = await executeChild(agentWorkflow, {
        workflowId: child.runId,
        args: [
          {
            agent: child.agent,
            input: task,
            options: { ...options, maxTurns: undefined, budget: undefined },
            parent: { runId, depth: depth + 1, maxDepth },
            budget: slice,
            inputCalibration,
          },
        ],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        staticSummary: runSummary(child.agent, task),
        staticDetails: runDetails({ agent: child.agent, budget: slice, parentRunId: runId }),
        typedSearchAttributes: [
          { key: CairnSearchAttributes.agent, value: child.agent },
          { key: CairnSearchAttributes.parentRun, value: runId },
          { key: CairnSearchAttributes.state, value: 'starting' },
        ],
      });
      runBudget.settleChild(reservation, {
        usage: result.usage,
        costUsd: result.costUsd ?? 0,
        usageByAgent: result.usageByAgent ?? {},
        usageByModel: result.usageByModel ?? {},
      });
      Object.assign(child, { state: result.status, turns: result.turns, usage: result.usage, costUsd: result.costUsd });
      status.usage = addUsage(status.usage, result.usage);
      inputCalibration = Math.max(inputCalibration, result.inputCalibration ?? 1);
      const note =
        result.status === 'max_turns'
          ? ` (the ${child.agent} agent hit its turn limit; this may be incomplete)`
          : result.status === 'truncated'
            ? ` (the ${child.agent} agent's answer was cut off at its output limit)`
          : result.status === 'budget_exhausted'
            ? ` (the ${child.agent} agent ran out of budget; this may be incomplete)`
            : '';
      if (result.outputRef) return { content: result.output, isError: false, contentRef: result.outputRef, suffix: note };
      return { content: `${result.output}${note}`, isError: false };
    } catch (error) {
      runBudget.settleChild(reservation, undefined);
      // This run itself is being cancelled: its children went with it; stop here.
      if (CancellationScope.current().consideredCancelled) throw error;
      const cancelled = error instanceof ChildWorkflowFailure && isCancellation(error.cause);
      child.state = cancelled ? 'cancelled' : 'failed';
      child.error = failureMessage(error);
      return { content: `The ${child.agent} sub-agent ${cancelled ? 'was cancelled' : `failed: ${child.error}`}. Decide whether to retry, work around it, or report it.`, isError: true };
    }
  }
}

/** What a delegation hands the model: the child's answer, inline or (too large for history) by key with the parent's note. */
interface DelegationOutcome {
  content: string;
  isError: boolean;
  contentRef?: string;
  suffix?: string;
}

function timeoutAt(timeoutMs: number | undefined): number | undefined {
  return timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
}

function parseJsonObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseQuestion(raw: string): { question: string; choices?: string[] } | string {
  const args = parseJsonObject(raw);
  if (!args || typeof args.question !== 'string' || args.question.trim() === '') {
    return `Invalid arguments for 'ask_human': expected {"question": "<your question>", "choices": ["optional", "answers"]}.`;
  }
  const choices = Array.isArray(args.choices) ? args.choices.filter((choice): choice is string => typeof choice === 'string') : undefined;
  return choices && choices.length > 0 ? { question: args.question, choices } : { question: args.question };
}

function parseTask(raw: string): string | undefined {
  const task = parseJsonObject(raw)?.task;
  return typeof task === 'string' && task.trim() !== '' ? task : undefined;
}

