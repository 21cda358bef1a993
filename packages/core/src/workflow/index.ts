/**
 * The workflow bundle's entry point: everything exported here is registered
 * with the worker and must stay deterministic and Node-free.
 */
export { agentWorkflow } from './agent-workflow.ts';
