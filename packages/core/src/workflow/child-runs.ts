/**
 * Running an agent as a child workflow of a run, within a slice of the run's
 * budget: the one way both the agent loop (delegations) and jobs such as deep
 * research start sub-agents. The child's spending is settled into the parent's
 * budget either way it ends; a failed child counts its whole slice as spent.
 */
import { executeChild, ParentClosePolicy } from '@temporalio/workflow';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import type { RunBudget } from './run-budget.ts';
import type { AgentRunInput, AgentRunResult, ChildRun } from './run-types.ts';
import { runDetails, runSummary } from './summaries.ts';

export interface ChildAgentRun {
  /** The child as the parent lists it; updated with how it ended. */
  child: ChildRun;
  input: AgentRunInput;
  parentRunId: string;
  budget: RunBudget;
  /** The budget reservation that holds the child's slice. */
  reservation: string;
}

/** The child's result once it ends by itself; its failure (or cancellation) is thrown, after the slice is settled. */
export async function runChildAgent({ child, input, parentRunId, budget, reservation }: ChildAgentRun): Promise<AgentRunResult> {
  let result: AgentRunResult;
  try {
    result = await executeChild<(input: AgentRunInput) => Promise<AgentRunResult>>('agentWorkflow', {
      workflowId: child.runId,
      args: [input],
      parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
      staticSummary: runSummary(child.agent, input.input),
      staticDetails: runDetails({ agent: child.agent, model: input.options?.model, budget: input.budget, parentRunId }),
      typedSearchAttributes: [
        { key: CairnSearchAttributes.agent, value: child.agent },
        { key: CairnSearchAttributes.parentRun, value: parentRunId },
        { key: CairnSearchAttributes.state, value: 'starting' },
      ],
    });
  } catch (error) {
    budget.settleChild(reservation, undefined);
    throw error;
  }
  budget.settleChild(reservation, { usage: result.usage, costUsd: result.costUsd ?? 0, usageByAgent: result.usageByAgent ?? {}, usageByModel: result.usageByModel ?? {} });
  Object.assign(child, { state: result.status, turns: result.turns, usage: result.usage, costUsd: result.costUsd });
  return result;
}
