import type { temporal } from '@temporalio/proto';
import { defaultPayloadConverter } from '@temporalio/common';
import { answerSignal, approveSignal, denySignal } from '../workflow/definitions.ts';

const decisionSignals = new Set([answerSignal.name, approveSignal.name, denySignal.name]);

/**
 * The question and approval ids a run has been sent answers or decisions for
 * by signal. With no worker running, such a signal waits in the run's history
 * while the run still lists the item as pending; a second answer to it would
 * be rejected once a worker reads it, so the client must refuse it now.
 */
export function queuedDecisionIds(history: temporal.api.history.v1.IHistory): Set<string> {
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
