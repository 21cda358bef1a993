import type { CairnActivities } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { TranscriptStore } from '../transcript/transcript-store.ts';
import { defaultPrices, type PriceTable } from '../budget/prices.ts';
import { callModelActivity, type ModelResolver } from './call-model.ts';
import { resolveAgentActivity } from './resolve-agent.ts';
import { prepareToolCallActivity, runToolActivity } from './run-tool.ts';

export interface ActivityDependencies {
  agents: AgentRegistry;
  /** Model prices over Cairn's defaults. */
  prices?: PriceTable;
  blobs: BlobStore;
  resolveModel: ModelResolver;
}

/** The activities one worker registers, bound to its agents, blob store and model providers. */
export function createActivities({ agents, blobs, resolveModel, prices }: ActivityDependencies): CairnActivities {
  const transcripts = new TranscriptStore(blobs);
  return {
    resolveAgent: resolveAgentActivity(agents, blobs, { ...defaultPrices, ...prices }),
    callModel: callModelActivity({ blobs, transcripts, resolveModel }),
    runTool: runToolActivity(agents, blobs),
    prepareToolCall: prepareToolCallActivity(agents, blobs),
  };
}
