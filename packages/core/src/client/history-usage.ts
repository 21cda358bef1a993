import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { addUsage, zeroUsage, type TokenUsage } from '../messages.ts';
import type { CallModelOutput } from '../activity-contract.ts';
import type { AgentRunInput } from '../workflow/run-types.ts';

/**
 * Turns and tokens of a run, read from its history: each completed model call
 * is recorded there with its usage. The history is the audit log, so this works
 * for a run that was cancelled or failed and never returned a result.
 */
export function usageFromHistory(history: temporal.api.history.v1.IHistory): { turns: number; usage: TokenUsage } {
  const modelCalls = new Set<string>();
  let turns = 0;
  let usage = zeroUsage();
  for (const event of history.events ?? []) {
    // After continue-as-new, the turns of earlier histories arrive in the input.
    const started = event.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const resume = started ? defaultPayloadConverter.fromPayload<AgentRunInput | undefined>(started)?.resume : undefined;
    if (resume) {
      turns += resume.turn;
      usage = addUsage(usage, resume.usage);
    }
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel') modelCalls.add(String(event.eventId));
    const completed = event.activityTaskCompletedEventAttributes;
    if (!completed || !modelCalls.has(String(completed.scheduledEventId))) continue;
    const payload = completed.result?.payloads?.[0];
    const output = payload ? defaultPayloadConverter.fromPayload<CallModelOutput>(payload) : undefined;
    if (output && 'usage' in output) {
      turns += 1;
      usage = addUsage(usage, output.usage);
    }
  }
  return { turns, usage };
}
