import type { CairnActivities } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { TranscriptStore } from '../transcript/transcript-store.ts';
import type { PriceTable } from '../budget/prices.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { callModelActivity, type ModelResolver } from './call-model.ts';
import { resolveAgentActivity } from './resolve-agent.ts';
import { prepareToolCallActivity, runToolActivity } from './run-tool.ts';

export interface ActivityDependencies {
  agents: AgentRegistry;
  /** Model prices over the providers' own. */
  prices?: PriceTable;
  blobs: BlobStore;
  /** The providers the worker knows: their prices, and the models a run may switch to. */
  providers: ProviderRegistry;
  resolveModel: ModelResolver;
}

/** The activities one worker registers, bound to its agents, blob store and model providers. */
export function createActivities({ agents, blobs, providers, resolveModel, prices }: ActivityDependencies): CairnActivities {
  const transcripts = new TranscriptStore(blobs);
  return {
    resolveAgent: resolveAgentActivity(agents, blobs, { ...providers.prices(), ...prices }, providers),
    callModel: callModelActivity({ blobs, transcripts, resolveModel, agents }),
    runTool: runToolActivity(agents, blobs),
    prepareToolCall: prepareToolCallActivity(agents, blobs),
  };
}
