import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { answerSignal, approveSignal, denySignal } from '../workflow/definitions.ts';

const decisionSignals = new Set([answerSignal.name, approveSignal.name, denySignal.name]);

/**
 * The question and approval ids a run has been sent answers or decisions for
 * by signal. With no worker running, such a signal waits in the run's history
 * while the run still lists the item as pending; a second answer to it would
 * be rejected once a worker reads it, so the client must refuse it now.
 */
export async function queuedDecisionIds(temporal: Client, runId: string): Promise<Set<string>> {
  const history = await temporal.workflow.getHandle(runId).fetchHistory();
  const ids = new Set<string>();
  for (const event of history.events ?? []) {
    const signaled = event.workflowExecutionSignaledEventAttributes;
    if (!signaled?.signalName || !decisionSignals.has(signaled.signalName)) continue;
    const payload = signaled.input?.payloads?.[0];
    const value = payload ? defaultPayloadConverter.fromPayload<{ questionId?: unknown; callId?: unknown } | null>(payload) : undefined;
    const id = value?.questionId ?? value?.callId;
    if (typeof id === 'string') ids.add(id);
  }
  return ids;
}
