import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
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
  const { callModel } = proxyActivities<CairnActivities>({ startToCloseTimeout: options.modelCallTimeoutMs, heartbeatTimeout: options.heartbeatTimeoutMs, retry });
  const { runTool } = proxyActivities<CairnActivities>({ startToCloseTimeout: options.toolTimeoutMs, heartbeatTimeout: options.heartbeatTimeoutMs, retry });
  return { resolveAgent, callModel, runTool, prepareToolCall };
}
