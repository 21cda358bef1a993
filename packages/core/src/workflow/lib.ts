/**
 * Deterministic building blocks for workflows of your own (the deep-research
 * job is one): safe to import from workflow code, and not themselves workflows.
 */
export { RunBudget, type BudgetStatus, type ChildSpend } from './run-budget.ts';
export { parseBudgetAmount } from '../budget/budget-amount.ts';
export { defaultBudgetPolicy, type BudgetPolicy } from '../budget/budget-policy.ts';
export { Semaphore } from './semaphore.ts';
export { parseAmount, refuseForgedInput } from './payloads.ts';
export { failureMessage } from './failure-message.ts';
export { oneLine, runDetails, runSummary } from './summaries.ts';
export { runChildAgent, type ChildAgentRun } from './child-runs.ts';
export { newRunStatus } from './status-publisher.ts';
export { statusQuery, addBudgetSignal } from './definitions.ts';
export { CairnSearchAttributes } from '../temporal/search-attributes.ts';
export { addUsage, zeroUsage } from '../messages.ts';
export type { AgentRunInput, AgentRunResult, ChildRun, RunOptions, RunStatus } from './run-types.ts';
export type { CairnActivities } from '../activity-contract.ts';
export type { TranscriptRef } from '../transcript/transcript-store.ts';
