/**
 * The agent loop, as a Temporal workflow. Each turn: one model call (an
 * activity), then the tool calls it asked for (activities, a few at a time),
 * until the model answers without tools or the turn limit is reached.
 *
 * Deterministic code only: no Node APIs, no SDKs, no tool implementations.
 * Conversations live in the transcript store; this code holds references.
 */
import {
  continueAsNew,
  defineQuery,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { CairnActivities, ToolResultRef, TranscriptAppend } from '../activity-contract.ts';
import { nonRetryableFailureTypes } from '../activity-contract.ts';
import { addUsage, zeroUsage, type ToolCall } from '../messages.ts';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import { emptyTranscript, type TranscriptRef } from '../transcript/transcript-store.ts';
import { boundedAll } from './bounded-all.ts';
import type { AgentRunInput, AgentRunResult, RunState, RunStatus, ToolCallStatus } from './run-types.ts';

export const statusQuery = defineQuery<RunStatus>('status');

const defaults = {
  heartbeatTimeoutMs: 30_000,
  modelCallTimeoutMs: 10 * 60_000,
  toolTimeoutMs: 10 * 60_000,
};

/** Beyond this many turns in one history, the loop continues as new to keep histories small. */
const turnsPerHistory = 500;

export async function agentWorkflow(input: AgentRunInput): Promise<AgentRunResult> {
  const options = { ...defaults, ...input.options };
  const runId = workflowInfo().workflowId;
  const retry = {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...nonRetryableFailureTypes],
  };
  const { resolveAgent } = proxyActivities<CairnActivities>({ startToCloseTimeout: '1m', retry });
  const { callModel } = proxyActivities<CairnActivities>({
    startToCloseTimeout: options.modelCallTimeoutMs,
    heartbeatTimeout: options.heartbeatTimeoutMs,
    retry,
  });
  const { runTool } = proxyActivities<CairnActivities>({
    startToCloseTimeout: options.toolTimeoutMs,
    heartbeatTimeout: options.heartbeatTimeoutMs,
    retry,
  });

  const status: RunStatus = {
    runId,
    agent: input.agent,
    state: 'starting',
    turn: input.resume?.turn ?? 0,
    usage: input.resume?.usage ?? zeroUsage(),
    startedAt: input.resume?.startedAt ?? Date.now(),
    toolCalls: [],
  };
  setHandler(statusQuery, () => status);
  const setState = (state: RunState) => {
    status.state = state;
    upsertSearchAttributes([{ key: CairnSearchAttributes.state, value: state }]);
  };

  const { spec, specRef } = input.resume ?? (await resolveAgent(input.agent));
  const maxTurns = options.maxTurns ?? spec.maxTurns;
  status.model = spec.model;
  status.maxTurns = maxTurns;

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
      return { runId, agent: spec.name, status: outcome, output: reply.message.content, turns: status.turn, usage: status.usage, transcript };
    }

    setState('running_tools');
    status.toolCalls = toolCalls.map((call): ToolCallStatus => ({ id: call.id, name: call.name, state: 'running' }));
    append = await boundedAll(toolCalls, spec.toolConcurrency, (call, index) => runToolCall(call, status.toolCalls[index]!));

    if (turnsInThisHistory >= turnsPerHistory || workflowInfo().continueAsNewSuggested) {
      return continueAsNew<typeof agentWorkflow>({
        ...input,
        resume: { spec, specRef, transcript, pendingAppend: append, turn: status.turn, usage: status.usage, startedAt: status.startedAt },
      });
    }
  }

  async function runToolCall(call: ToolCall, view: ToolCallStatus): Promise<ToolResultRef> {
    const result = await runTool({ runId, agent: spec.name, toolCallId: call.id, toolName: call.name, arguments: call.arguments });
    view.state = result.isError ? 'error' : 'done';
    view.preview = result.preview;
    return { role: 'tool', toolCallId: call.id, toolName: call.name, isError: result.isError, contentRef: result.contentRef };
  }
}
