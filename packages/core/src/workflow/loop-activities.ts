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
  return { resolveAgent, resolveAgentLocally, callModel, compactContext, runTool, prepareToolCall };
}
