import { proxyActivities, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import { nonRetryableFailureTypes, type CairnActivities } from '../activity-contract.ts';

/** The activities the loop calls, with their timeouts and retries. */
export function loopActivities(options: { modelCallTimeoutMs: number; toolTimeoutMs: number; heartbeatTimeoutMs: number }) {
  const retry: ActivityOptions['retry'] = {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1m',
    maximumAttempts: 10,
    nonRetryableErrorTypes: [...nonRetryableFailureTypes],
  };
  const { resolveAgent, prepareToolCall } = proxyActivities<CairnActivities>({ startToCloseTimeout: '1m', retry });
  // Resolving the agent takes milliseconds on the worker that runs the workflow: as a local activity it costs
  // one marker event instead of an activity task's round trip through the server (six events, one more workflow task).
  const { resolveAgent: resolveAgentLocally } = proxyLocalActivities<CairnActivities>({ startToCloseTimeout: '1m', retry });
  const { callModel, compactContext } = proxyActivities<CairnActivities>({ startToCloseTimeout: options.modelCallTimeoutMs, heartbeatTimeout: options.heartbeatTimeoutMs, retry });
  const { runTool } = proxyActivities<CairnActivities>({ startToCloseTimeout: options.toolTimeoutMs, heartbeatTimeout: options.heartbeatTimeoutMs, retry });
  // Open until its result comes from outside, with no heartbeats: each call sets its own timeouts. A start that
  // fails is tried again within them; one that times out is not (the time for an answer is up).
  const { startAsyncTool } = proxyActivities<CairnActivities>({ startToCloseTimeout: options.toolTimeoutMs, retry: { ...retry, maximumAttempts: 3 } });
  const { finishAsyncTool } = proxyActivities<CairnActivities>({ startToCloseTimeout: '1m', retry });
  return { resolveAgent, resolveAgentLocally, callModel, compactContext, runTool, startAsyncTool, finishAsyncTool, prepareToolCall };
}
