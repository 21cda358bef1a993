/**
 * The tool calls of one turn, each by its kind: a plain tool runs as an
 * activity; a gated tool waits for a person's approval first; a question waits
 * for a person's answer; a delegation runs a sub-agent as a child workflow. Each
 * ends as what the model is handed back.
 */
import { ActivityFailure, CancellationScope, ChildWorkflowFailure, createNexusServiceClient, isCancellation, TimeoutFailure, workflowInfo, type ActivityInterfaceFor } from '@temporalio/workflow';
import { cairnAgentService } from '../nexus/agent-service.ts';
import { asyncCallActivityId } from '../async-tools/activity-id.ts';
import type { CairnActivities, RunToolOutput, StepTrace, TranscriptAppend } from '../activity-contract.ts';
import type { AgentSpec, ToolSpec } from '../agent/spec.ts';
import { formatBytes, maxInlineBytes, type ClaimedToolCall } from '../transcript/claim-check.ts';
import { failureMessage } from './failure-message.ts';
import type { HumanWaits } from './human-waits.ts';
import type { McpBreakers } from './mcp-breakers.ts';
import { runChildAgent } from './child-runs.ts';
import type { RunBudget } from './run-budget.ts';
import type { RunEvents } from './run-events.ts';
import type { AgentRunInput, AgentRunResult, ChildRun, RunOptions } from './run-types.ts';
import type { Semaphore } from './semaphore.ts';
import { formatDuration, toolCallSummary } from './summaries.ts';

const unattendedAnswer = 'No human is available to answer; proceed with your best judgement and say what you assumed.';

type Tool<K extends ToolSpec['kind']> = Extract<ToolSpec, { kind: K }>;

export interface ToolCallsContext {
  runId: string;
  spec: AgentSpec;
  options: RunOptions;
  activities: Pick<ActivityInterfaceFor<CairnActivities>, 'runTool' | 'startAsyncTool' | 'finishAsyncTool' | 'prepareToolCall'>;
  budget: RunBudget;
  events: RunEvents;
  waits: HumanWaits;
  toolSlots: Semaphore;
  childSlots: Semaphore;
  /**
   * Calls start in the tick the turn hands them over, through as few promises as they need
   * (runs since 0.9): in a workflow, the SDK captures a stack trace for every promise.
   */
  prompt: boolean;
  /** Stops calling an MCP server that keeps failing in this run. */
  breakers: McpBreakers;
  /** How deep this run is among sub-agents, and how deep they may go. */
  depth: number;
  maxDepth: number;
  /** The top of the run's tree and the trace it continues: handed to each tool activity (so its work runs in the call's span) and to every child. */
  stepTrace: StepTrace;
  /** What the parent knows of the provider's token counts, handed to each child. */
  inputCalibration: () => number;
  /** A child ended by itself: the parent learns from its result. */
  onChildResult: (result: AgentRunResult) => void;
}

export class ToolCalls {
  /** When each call's turn started running its calls: a call's step starts then. */
  private readonly startedAt = new Map<string, number>();

  constructor(private readonly context: ToolCallsContext) {}

  /** Runs one call of a turn with `delegations` delegations in it (for the even budget split). */
  run(call: ClaimedToolCall, delegations: number, startedAt: number): Promise<TranscriptAppend> {
    // Promise.resolve hands a promise back as it is: no promise more, no tick later.
    return this.context.prompt ? Promise.resolve(this.dispatch(call, delegations, startedAt)) : this.runAsRecorded(call, delegations, startedAt);
  }

  /** A call as runs before 0.9 made it: their histories replay only with the microtask timing they were recorded with. */
  private async runAsRecorded(call: ClaimedToolCall, delegations: number, startedAt: number): Promise<TranscriptAppend> {
    return this.dispatch(call, delegations, startedAt);
  }

  /** The call by its kind: what it is handed back at once, or its work under way. */
  private dispatch(call: ClaimedToolCall, delegations: number, startedAt: number): TranscriptAppend | Promise<TranscriptAppend> {
    this.startedAt.set(call.id, startedAt);
    const tool = this.context.spec.tools.find((candidate) => candidate.name === call.name);
    // Questions and tasks are read here, in the workflow, so they must fit in history.
    if (call.argumentsRef && (tool?.kind === 'ask_human' || tool?.kind === 'sub_agent' || tool?.kind === 'nexus')) {
      const what = tool.kind === 'ask_human' ? 'question' : `task for '${tool.agent}'`;
      return this.result(call, `Not run: the ${what} is ${formatBytes(call.argumentsBytes ?? 0)}, and may be at most ${formatBytes(maxInlineBytes)}. Say it shorter; name large material (a file, a source) instead of including it.`, true);
    }
    switch (tool?.kind) {
      case 'ask_human':
        return this.question(call, tool);
      case 'sub_agent':
        return this.delegation(call, tool, delegations);
      case 'nexus':
        return this.remoteAgent(call, tool);
      default: {
        if (tool?.internal) return this.result(call, `There is no tool named '${call.name}'.`, true);
        const refusal = tool?.mcp && this.context.breakers.refusal(tool.mcp.server, call.name, Date.now());
        if (refusal) return this.result(call, refusal, true);
        return tool?.approval ? this.gated(call, tool) : this.plain(call, call.arguments, call.argumentsRef);
      }
    }
  }

  /** What the model is handed back, announced. */
  private result(call: ClaimedToolCall, content: string, isError: boolean): TranscriptAppend {
    this.finished(call, isError, content.slice(0, 280));
    return { role: 'tool', toolCallId: call.id, toolName: call.name, content, isError };
  }

  private finished(call: ClaimedToolCall, isError: boolean, preview: string): void {
    const startedAt = this.startedAt.get(call.id) ?? Date.now();
    this.startedAt.delete(call.id);
    this.context.events.emit({ type: 'tool_call_finished', id: call.id, name: call.name, isError, preview, startedAt });
  }

  private async question(call: ClaimedToolCall, tool: Tool<'ask_human'>): Promise<TranscriptAppend> {
    const question = parseQuestion(call.arguments);
    if (typeof question === 'string') return this.result(call, question, true);
    const { unattended } = this.context.options;
    const resolution = await this.context.waits.wait(
      { kind: 'question', id: call.id, ...question, askedAt: Date.now(), timeoutAt: timeoutAt(tool.timeoutMs) },
      tool.timeoutMs,
      () => ({ kind: 'answer', answer: unattended ? unattendedAnswer : tool.defaultAnswer, by: unattended ? 'unattended' : 'timeout' }),
    );
    return this.result(call, resolution.kind === 'answer' ? resolution.answer : '', false);
  }

  /** A tool that asks first: its arguments are checked, then a person approves (or edits) or denies them. */
  private async gated(call: ClaimedToolCall, tool: Tool<'function'>): Promise<TranscriptAppend> {
    const { prepareToolCall } = this.context.activities;
    const prepared = await prepareToolCall.executeWithOptions({ summary: `check before approval: ${toolCallSummary(call)}` }, [
      { agent: this.context.spec.name, toolName: call.name, arguments: call.arguments, ...(call.argumentsRef ? { argumentsRef: call.argumentsRef } : {}), ...(tool.mcp ? { mcp: tool.mcp } : {}) },
    ]);
    if (!prepared.ok) return this.result(call, prepared.error, true);
    if (!prepared.needsApproval) return this.plain(call, call.arguments, call.argumentsRef);
    const decision = await this.context.waits.wait(
      { kind: 'approval', id: call.id, tool: call.name, arguments: prepared.arguments ?? prepared.argumentsPreview, askedAt: Date.now(), timeoutAt: timeoutAt(tool.approvalTimeoutMs) },
      tool.approvalTimeoutMs,
      () => ({ kind: 'decision', approved: tool.onApprovalTimeout === 'approve', reason: 'no decision came in time', by: 'timeout' }),
    );
    if (decision.kind === 'decision' && !decision.approved) {
      // The reason ends its sentence, whether or not the person ended it.
      const said = decision.reason?.trim();
      const reason = said ? `: ${said}${/[.!?]$/.test(said) ? '' : '.'}` : '.';
      return this.result(call, `The user denied this call to '${call.name}'${reason} Do not retry it unchanged.`, true);
    }
    if (decision.kind === 'decision' && decision.arguments !== undefined) return this.plain(call, JSON.stringify(decision.arguments), undefined);
    return this.plain(call, call.arguments, call.argumentsRef);
  }

  /** The tool's activity; its result stays in the blob store and the model gets it by key. */
  private plain(call: ClaimedToolCall, args: string, argumentsRef: string | undefined): Promise<TranscriptAppend> {
    const { runId, spec, options, activities, events, breakers } = this.context;
    const tool = spec.tools.find((candidate) => candidate.name === call.name);
    const mcp = tool?.kind === 'function' ? tool.mcp : undefined;
    if (tool?.kind === 'function' && tool.async) return this.asyncCall(call, tool.async, args, argumentsRef);
    const start = () => {
      events.emit({ type: 'tool_call_started', id: call.id, name: call.name });
      return activities.runTool.executeWithOptions({ summary: toolCallSummary({ ...call, arguments: args, argumentsRef }) }, [
        {
          runId,
          trace: this.context.stepTrace,
          agent: spec.name,
          toolCallId: call.id,
          toolName: call.name,
          arguments: args,
          ...(argumentsRef ? { argumentsRef } : {}),
          ...(options.toolSettings ? { settings: options.toolSettings } : {}),
          ...(mcp ? { mcp } : {}),
        },
      ]);
    };
    const settle = (result: RunToolOutput): TranscriptAppend => {
      if (mcp) breakers.record(mcp.server, { unavailable: result.unavailable === true, error: result.preview }, Date.now());
      this.finished(call, result.isError, result.preview);
      return { role: 'tool', toolCallId: call.id, toolName: call.name, isError: result.isError, contentRef: result.contentRef };
    };
    if (this.context.prompt) return this.context.toolSlots.runPromptly(() => start().then(settle));
    return this.context.toolSlots.run(async () => settle(await start()));
  }

  /**
   * An asynchronous tool: an activity starts the work and stays open, holding no worker slot,
   * until the result comes from outside (its task token, `cairn complete`, a callback) or its time
   * is up. It does not take a tool slot of the run either: it may wait for days.
   */
  private async asyncCall(call: ClaimedToolCall, settings: { timeoutMs: number; onTimeout?: string }, args: string, argumentsRef: string | undefined): Promise<TranscriptAppend> {
    const { runId, spec, options, activities, events, waits } = this.context;
    events.emit({ type: 'tool_call_started', id: call.id, name: call.name });
    const item = { kind: 'async_call' as const, id: call.id, tool: call.name, arguments: argumentsRef ? call.arguments.slice(0, 2_000) : parseJsonObject(args) ?? args, askedAt: Date.now(), timeoutAt: Date.now() + settings.timeoutMs };
    const outcome = await waits.track(
      item,
      async (): Promise<{ result: unknown } | { timedOut: true } | { error: string }> => {
        try {
          const result = await activities.startAsyncTool.executeWithOptions(
            { activityId: asyncCallActivityId(call.id), scheduleToCloseTimeout: settings.timeoutMs, startToCloseTimeout: settings.timeoutMs, summary: `async: ${toolCallSummary({ ...call, arguments: args, argumentsRef })}` },
            [{ runId, trace: this.context.stepTrace, agent: spec.name, toolCallId: call.id, toolName: call.name, arguments: args, ...(argumentsRef ? { argumentsRef } : {}), ...(options.toolSettings ? { settings: options.toolSettings } : {}) }],
          );
          return { result };
        } catch (error) {
          if (CancellationScope.current().consideredCancelled || !(error instanceof ActivityFailure)) throw error;
          return error.cause instanceof TimeoutFailure ? { timedOut: true } : { error: failureMessage(error) };
        }
      },
      (settled) => ({ kind: 'completion', isError: !('result' in settled), by: 'timedOut' in settled ? 'timeout' : 'external' }),
    );
    const noResult = `Tool '${call.name}' got no result within ${formatDuration(settings.timeoutMs)}: it timed out. Decide whether to try again, go on without it, or report it.`;
    const finished =
      'result' in outcome
        ? { result: outcome.result, isError: false }
        : 'timedOut' in outcome
          ? settings.onTimeout !== undefined
            ? { result: settings.onTimeout, isError: false }
            : { result: noResult, isError: true }
          : { result: `Tool '${call.name}' failed: ${outcome.error}`, isError: true };
    const stored = await activities.finishAsyncTool.executeWithOptions({ summary: `store the result of ${call.name} (${call.id})` }, [{ agent: spec.name, toolName: call.name, ...finished }]);
    this.finished(call, stored.isError, stored.preview);
    return { role: 'tool', toolCallId: call.id, toolName: call.name, isError: stored.isError, contentRef: stored.contentRef };
  }

  /**
   * An agent of another namespace, through Nexus: the other side starts an ordinary run of it and
   * this run awaits its result as durably as a child's. Its tokens are the other side's to count.
   */
  private async remoteAgent(call: ClaimedToolCall, tool: Tool<'nexus'>): Promise<TranscriptAppend> {
    const input = tool.typedInput ? call.arguments : parseTask(call.arguments);
    if (input === undefined) return this.result(call, `Invalid arguments for '${call.name}': expected {"task": "<what the ${tool.agent} agent should do>"}.`, true);
    const { runId, events } = this.context;
    events.emit({ type: 'tool_call_started', id: call.id, name: call.name });
    const service = createNexusServiceClient({ endpoint: tool.endpoint, service: cairnAgentService });
    try {
      const result: unknown = await service.executeOperation('runAgent', { agent: tool.agent, input, caller: `${workflowInfo().namespace}/${runId}` }, { scheduleToCloseTimeout: tool.timeoutMs });
      const answer = remoteAnswer(result);
      if (answer === undefined) return this.result(call, `The ${tool.agent} agent (through Nexus endpoint '${tool.endpoint}') sent back no answer in a form Cairn reads.`, true);
      return this.result(call, `${answer.text}${endingNote(tool.agent, answer.status)}`, false);
    } catch (error) {
      if (CancellationScope.current().consideredCancelled) throw error;
      return this.result(call, `The ${tool.agent} agent (through Nexus endpoint '${tool.endpoint}') failed: ${failureMessage(error)}. Decide whether to retry, work around it, or report it.`, true);
    }
  }

  private async delegation(call: ClaimedToolCall, tool: Tool<'sub_agent'>, delegations: number): Promise<TranscriptAppend> {
    const { runId, depth, maxDepth, budget, events } = this.context;
    const task = tool.typedInput ? await this.typedTask(call) : parseTask(call.arguments);
    if (task === undefined) return this.result(call, `Invalid arguments for '${call.name}': expected {"task": "<what the sub-agent should do>"}.`, true);
    if (typeof task !== 'string') return this.result(call, task.error, true);
    if (depth + 1 > maxDepth) {
      return this.result(call, `Cannot delegate to '${tool.agent}': sub-agents may nest at most ${maxDepth} levels deep. Do the task yourself.`, true);
    }
    // Derived from this run and the tool call: a replayed or retried parent finds the same child, never a second one.
    const child: ChildRun = { runId: `${runId}.${call.id}`, agent: tool.agent, toolCallId: call.id, state: 'queued' };
    events.emit({ type: 'child_started', child });
    return this.context.childSlots.run(async () => {
      // The slice is carved when the child can start, from what remains then.
      const reservation = `child:${call.id}`;
      const slice = budget.reserveChild(reservation, delegations);
      if (!slice.ok) {
        events.emit({ type: 'child_settled', child });
        return this.result(call, `Not delegated to '${tool.agent}': ${slice.reason}. Work with what you have.`, true);
      }
      events.emit({ type: 'tool_call_started', id: call.id, name: call.name });
      Object.assign(child, { state: 'running', budget: slice.limits });
      return this.runChild(call, child, task, reservation, slice.limits);
    });
  }

  /** Arguments for a sub-agent with an input schema, checked against it by the worker (zod runs there): the child reads them as JSON. */
  private async typedTask(call: ClaimedToolCall): Promise<string | { error: string }> {
    const prepared = await this.context.activities.prepareToolCall.executeWithOptions({ summary: `check the task: ${toolCallSummary(call)}` }, [
      { agent: this.context.spec.name, toolName: call.name, arguments: call.arguments },
    ]);
    if (!prepared.ok) return { error: prepared.error };
    if (prepared.arguments === undefined) return { error: `Not delegated: the arguments of '${call.name}' are larger than ${formatBytes(maxInlineBytes)}. Say it shorter; name large material (a file, a source) instead of including it.` };
    return JSON.stringify(prepared.arguments);
  }

  private async runChild(call: ClaimedToolCall, child: ChildRun, task: string, reservation: string, slice: ChildRun['budget']): Promise<TranscriptAppend> {
    const { runId, options, depth, maxDepth, budget, events } = this.context;
    const input: AgentRunInput = {
      agent: child.agent,
      input: task,
      options: { ...options, maxTurns: undefined, budget: undefined },
      parent: { runId, depth: depth + 1, maxDepth, rootRunId: this.context.stepTrace.rootRunId, toolCallId: call.id },
      ...(this.context.stepTrace.traceParent ? { traceParent: this.context.stepTrace.traceParent } : {}),
      budget: slice,
      inputCalibration: this.context.inputCalibration(),
    };
    let result: AgentRunResult;
    try {
      result = await runChildAgent({ child, input, parentRunId: runId, budget, reservation });
    } catch (error) {
      // This run itself is being cancelled: its children went with it; stop here.
      if (CancellationScope.current().consideredCancelled) throw error;
      const cancelled = error instanceof ChildWorkflowFailure && isCancellation(error.cause);
      child.state = cancelled ? 'cancelled' : 'failed';
      child.error = failureMessage(error);
      events.emit({ type: 'child_settled', child });
      return this.result(call, `The ${child.agent} sub-agent ${cancelled ? 'was cancelled' : `failed: ${child.error}`}. Decide whether to retry, work around it, or report it.`, true);
    }
    events.emit({ type: 'child_settled', child });
    this.context.onChildResult(result);
    const note = endingNote(child.agent, result.status);
    if (!result.outputRef) return this.result(call, `${result.output}${note}`, false);
    // An answer too large for history reaches the model from the blob store, with the parent's note.
    this.finished(call, false, result.output.slice(0, 280));
    return { role: 'tool', toolCallId: call.id, toolName: call.name, isError: false, contentRef: result.outputRef, ...(note ? { suffix: note } : {}) };
  }
}

/** What the parent tells its model about how a sub-agent ended, when not simply with an answer. */
function endingNote(agent: string, status: AgentRunResult['status']): string {
  switch (status) {
    case 'max_turns':
      return ` (the ${agent} agent hit its turn limit; this may be incomplete)`;
    case 'truncated':
      return ` (the ${agent} agent's answer was cut off at its output limit)`;
    case 'budget_exhausted':
      return ` (the ${agent} agent ran out of budget; this may be incomplete)`;
    default:
      return '';
  }
}

/** Most of another namespace's answer the model is handed inline: it passes through this run's history. */
const maxRemoteAnswerChars = 8_000;

/**
 * Another team's run result, checked: their workers are not this run's to trust. Its value as
 * JSON (a typed agent) or its text; an answer too long for history is cut, naming their run.
 */
function remoteAnswer(result: unknown): { text: string; status: AgentRunResult['status'] } | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const { output, value, status, runId, outputRef } = result as Partial<AgentRunResult>;
  if (typeof output !== 'string' || typeof status !== 'string') return undefined;
  const whole = value !== undefined ? (JSON.stringify(value) ?? output) : output;
  const where = typeof runId === 'string' ? ` in run '${runId.slice(0, 200)}' of the other namespace` : '';
  if (whole.length > maxRemoteAnswerChars) return { text: `${whole.slice(0, maxRemoteAnswerChars)} (cut: the whole answer is${where})`, status };
  // A large answer stays in the other side's blob store: what came is its beginning.
  return { text: outputRef && value === undefined ? `${whole} (cut: the whole answer is${where})` : whole, status };
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
