/**
 * Cairn's Nexus service: an agent run as an operation another namespace (another
 * team's workflows and agents) can call and await durably. The definition alone:
 * callers' workflow code imports it, so nothing here may touch Node.
 */
import * as nexus from 'nexus-rpc';
import type { AgentRunResult } from '../workflow/run-types.ts';

export interface NexusAgentRequest {
  /** The agent to run, among those the handling namespace exposes (`defineConfig({ nexus: { agents } })`). */
  agent: string;
  /** The task, or for an agent with an input schema, its JSON. */
  input: string;
  /** The calling run, for the handler's records: `<namespace>/<runId>`. */
  caller?: string;
}

/** What the caller gets back: the run's result, as `CairnClient.result` gives it. */
export type NexusAgentResult = AgentRunResult;

export const cairnAgentService = nexus.service('cairn-agents', {
  runAgent: nexus.operation<NexusAgentRequest, NexusAgentResult>(),
});
