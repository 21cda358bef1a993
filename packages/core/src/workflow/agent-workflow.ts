/**
 * The agent loop, as a Temporal workflow. Each turn: one model call (an
 * activity), then the tool calls it asked for — plain tools as activities,
 * questions and approvals as waits for a person, delegations as child
 * workflows — until the model answers without tools or the turn limit is reached.
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
  proxyActivities,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { CairnActivities, TranscriptAppend } from '../activity-contract.ts';
import { nonRetryableFailureTypes } from '../activity-contract.ts';
import type { ToolSpec } from '../agent/spec.ts';
import { addUsage, zeroUsage, type ToolCall } from '../messages.ts';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import { emptyTranscript, type TranscriptRef } from '../transcript/transcript-store.ts';
import { answerSignal, answerUpdate, approveSignal, decideUpdate, denySignal, statusQuery } from './definitions.ts';
import { HumanInbox, type PendingItem, type Resolution } from './human-inbox.ts';
import type { AgentRunInput, AgentRunResult, ChildRun, RunState, RunStatus, ToolCallStatus } from './run-types.ts';
import { Semaphore } from './semaphore.ts';

const defaults = {
  heartbeatTimeoutMs: 30_000,
  modelCallTimeoutMs: 10 * 60_000,
  toolTimeoutMs: 10 * 60_000,
};

/** Beyond this many turns in one history, the loop continues as new to keep histories small. */
const turnsPerHistory = 500;

export const unattendedAnswer = 'No human is available to answer; proceed with your best judgement and say what you assumed.';

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
    children: [],
    rejected: [],
    parentRunId: input.parent?.runId,
  };

  // Handlers first: a person may answer before the first turn has even run.
  setHandler(statusQuery, () => status);
  setHandler(answerUpdate, (answer) => inbox.answer(answer), { validator: (answer) => inbox.validateAnswer(answer) });
  setHandler(decideUpdate, (decision) => inbox.decide(decision), { validator: (decision) => inbox.validateDecision(decision) });
  setHandler(answerSignal, (answer) => recordRejection(() => inbox.answer(answer)));
  setHandler(approveSignal, ({ callId, arguments: edited }) => recordRejection(() => inbox.decide({ callId, approved: true, arguments: edited })));
  setHandler(denySignal, ({ callId, reason }) => recordRejection(() => inbox.decide({ callId, approved: false, reason })));

  function recordRejection(apply: () => void): void {
    try {
      apply();
    } catch (error) {
      status.rejected.push({ at: Date.now(), message: (error as Error).message });
    }
  }

  let state: RunState = 'starting';
  const setState = (next: RunState) => {
    status.state = next;
    if (next !== state) upsertSearchAttributes([{ key: CairnSearchAttributes.state, value: next }]);
    state = next;
  };

  const { spec, specRef } = input.resume ?? (await resolveAgent(input.agent));
  const maxTurns = options.maxTurns ?? spec.maxTurns;
  const maxDepth = input.parent?.maxDepth ?? spec.maxDepth ?? 3;
  const depth = input.parent?.depth ?? 0;
  status.model = spec.model;
  status.maxTurns = maxTurns;
  const toolSlots = new Semaphore(spec.toolConcurrency);
  const childSlots = new Semaphore(spec.maxConcurrentChildren ?? 4);

  let transcript: TranscriptRef = input.resume?.transcript ?? emptyTranscript;
  let append: TranscriptAppend[] = input.resume?.pendingAppend ?? [{ role: 'user', content: input.input }];
  let turnsInThisHistory = 0;

  for (;;) {
    setState('calling_model');
    const reply = await callModel({ runId, specRef, transcript, append, maxOutputTokens: spec.maxOutputTokens });
    transcript = reply.transcript;
    status.turn += 1;
    turnsInThisHistory += 1;
    status.usage = addUsage(status.usage, reply.usage);
    const { toolCalls } = reply.message;

    if (toolCalls.length === 0 || status.turn >= maxTurns) {
      const outcome = toolCalls.length === 0 ? 'completed' : 'max_turns';
      status.output = reply.message.content;
      setState(outcome);
      return { runId, agent: spec.name, status: outcome, output: reply.message.content, turns: status.turn, usage: status.usage, transcript, children: status.children };
    }

    setState('running_tools');
    status.toolCalls = toolCalls.map((call): ToolCallStatus => ({ id: call.id, name: call.name, state: 'queued' }));
    append = await Promise.all(toolCalls.map((call, index) => handleToolCall(call, status.toolCalls[index]!)));

    if (turnsInThisHistory >= turnsPerHistory || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof agentWorkflow>({
        ...input,
        resume: { spec, specRef, transcript, pendingAppend: append, turn: status.turn, usage: status.usage, startedAt: status.startedAt },
      });
    }
  }

  async function handleToolCall(call: ToolCall, view: ToolCallStatus): Promise<TranscriptAppend> {
    const tool = spec.tools.find((candidate) => candidate.name === call.name);
    const finish = (content: string, isError: boolean): TranscriptAppend => {
      view.state = isError ? 'error' : 'done';
      view.preview = content.slice(0, 280);
      return { role: 'tool', toolCallId: call.id, toolName: call.name, content, isError };
    };
    switch (tool?.kind) {
      case 'ask_human': {
        const question = parseQuestion(call.arguments);
        if (typeof question === 'string') return finish(question, true);
        view.state = 'waiting_for_human';
        const resolution = await waitForHuman(
          { kind: 'question', id: call.id, ...question, askedAt: Date.now(), timeoutAt: timeoutAt(tool.timeoutMs) },
          tool.timeoutMs,
          () => ({ kind: 'answer', answer: options.unattended ? unattendedAnswer : tool.defaultAnswer, by: options.unattended ? 'unattended' : 'timeout' }),
        );
        return finish(resolution.kind === 'answer' ? resolution.answer : '', false);
      }
      case 'sub_agent':
        return childSlots.run(async () => {
          view.state = 'running';
          const outcome = await delegate(call, tool);
          return finish(outcome.content, outcome.isError);
        });
      default: {
        let args = call.arguments;
        if (tool?.approval) {
          const prepared = await prepareToolCall({ agent: spec.name, toolName: call.name, arguments: call.arguments });
          if (!prepared.ok) return finish(prepared.error, true);
          if (prepared.needsApproval) {
            view.state = 'waiting_for_human';
            const decision = await waitForHuman(
              { kind: 'approval', id: call.id, tool: call.name, arguments: prepared.arguments, askedAt: Date.now(), timeoutAt: timeoutAt(tool.approvalTimeoutMs) },
              tool.approvalTimeoutMs,
              () => ({ kind: 'decision', approved: tool.onApprovalTimeout === 'approve', reason: 'no decision came in time', by: 'timeout' }),
            );
            if (decision.kind === 'decision' && !decision.approved) {
              return finish(`The user denied this call to '${call.name}'${decision.reason ? `: ${decision.reason}` : '.'} Do not retry it unchanged.`, true);
            }
            if (decision.kind === 'decision' && decision.arguments !== undefined) args = JSON.stringify(decision.arguments);
          }
        }
        return toolSlots.run(async () => {
          view.state = 'running';
          const result = await runTool({ runId, agent: spec.name, toolCallId: call.id, toolName: call.name, arguments: args });
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
    inbox.add(item);
    publishPending();
    const resolved = timeoutMs === undefined ? (await condition(() => inbox.resolution(item.id) !== undefined), true) : await condition(() => inbox.resolution(item.id) !== undefined, timeoutMs);
    if (!resolved) {
      const applied = fallback();
      if (applied.kind === 'answer') inbox.answer({ questionId: item.id, answer: applied.answer }, 'timeout');
      else inbox.decide({ callId: item.id, approved: applied.approved, reason: applied.reason }, 'timeout');
    }
    publishPending();
    return inbox.resolution(item.id)!;
  }

  /**
   * Pending items go into the memo and a search attribute as well as the status
   * query: a CLI can then list and check them across runs without any worker.
   */
  function publishPending(): void {
    status.pending = inbox.pending;
    upsertMemo({ pending: status.pending });
    upsertSearchAttributes([{ key: CairnSearchAttributes.waitingForHuman, value: status.pending.length > 0 }]);
    if (status.pending.length > 0) setState('waiting_for_human');
    else if (state === 'waiting_for_human') setState('running_tools');
  }

  async function delegate(call: ToolCall, tool: Extract<ToolSpec, { kind: 'sub_agent' }>): Promise<{ content: string; isError: boolean }> {
    const task = parseTask(call.arguments);
    if (task === undefined) return { content: `Invalid arguments for '${call.name}': expected {"task": "<what the sub-agent should do>"}.`, isError: true };
    if (depth + 1 > maxDepth) {
      return { content: `Cannot delegate to '${tool.agent}': sub-agents may nest at most ${maxDepth} levels deep. Do the task yourself.`, isError: true };
    }
    // Derived from this run and the tool call: a replayed or retried parent finds the same child, never a second one.
    const childId = `${runId}.${call.id}`;
    const child: ChildRun = { runId: childId, agent: tool.agent, toolCallId: call.id, state: 'running' };
    status.children.push(child);
    try {
      const result = await executeChild(agentWorkflow, {
        workflowId: childId,
        args: [{ agent: tool.agent, input: task, options: { ...options, maxTurns: undefined }, parent: { runId, depth: depth + 1, maxDepth } }],
        parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
        typedSearchAttributes: [
          { key: CairnSearchAttributes.agent, value: tool.agent },
          { key: CairnSearchAttributes.parentRun, value: runId },
          { key: CairnSearchAttributes.state, value: 'starting' },
        ],
      });
      Object.assign(child, { state: result.status, turns: result.turns, usage: result.usage });
      status.usage = addUsage(status.usage, result.usage);
      const note = result.status === 'max_turns' ? ` (the ${tool.agent} agent hit its turn limit; this may be incomplete)` : '';
      return { content: `${result.output}${note}`, isError: false };
    } catch (error) {
      // This run itself is being cancelled: its children went with it; stop here.
      if (CancellationScope.current().consideredCancelled) throw error;
      const cancelled = error instanceof ChildWorkflowFailure && isCancellation(error.cause);
      child.state = cancelled ? 'cancelled' : 'failed';
      child.error = failureMessage(error);
      return { content: `The ${tool.agent} sub-agent ${cancelled ? 'was cancelled' : `failed: ${child.error}`}. Decide whether to retry, work around it, or report it.`, isError: true };
    }
  }
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

/** The innermost message: child failure → activity failure → the application failure that says what happened. */
function failureMessage(error: unknown): string {
  let current = error as Error | undefined;
  while (current?.cause instanceof Error) current = current.cause;
  return current instanceof ApplicationFailure || current instanceof Error ? current.message : String(error);
}
