import type { CairnActivities } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { TranscriptStore } from '../transcript/transcript-store.ts';
import type { PriceTable } from '../budget/prices.ts';
import type { ProviderRegistry } from '../providers/registry.ts';
import { callModelActivity, type ModelResolver } from './call-model.ts';
import { compactContextActivity } from './compact-context.ts';
import { SpecCache } from './spec-cache.ts';
import { resolveAgentActivity } from './resolve-agent.ts';
import { prepareToolCallActivity, toolActivities } from './run-tool.ts';
import { callbackSecret } from '../async-tools/callbacks.ts';
import type { McpConnections } from '../mcp/mcp-connections.ts';

export interface ActivityDependencies {
  agents: AgentRegistry;
  /** Model prices over the providers' own. */
  prices?: PriceTable;
  /** Context windows by model id, over the providers' own. */
  contextWindows?: Record<string, number>;
  blobs: BlobStore;
  /** The providers the worker knows: their prices, and the models a run may switch to. */
  providers: ProviderRegistry;
  resolveModel: ModelResolver;
  /** The worker's connections to its agents' MCP servers. */
  mcp: McpConnections;
}

/** The activities one worker registers, bound to its agents, blob store and model providers. */
export function createActivities({ agents, blobs, providers, resolveModel, prices, contextWindows, mcp }: ActivityDependencies): CairnActivities {
  const transcripts = new TranscriptStore(blobs);
  const specs = new SpecCache(blobs);
  return {
    resolveAgent: resolveAgentActivity(agents, blobs, { ...providers.prices(), ...prices }, providers, (model) => contextWindows?.[model] ?? providers.contextWindow(model), mcp),
    callModel: callModelActivity({ blobs, transcripts, resolveModel, agents, specs }),
    compactContext: compactContextActivity({ blobs, transcripts, resolveModel, specs }),
    // Read when an asynchronous tool first starts: a worker without one never makes the secret.
    ...toolActivities(agents, blobs, mcp, once(callbackSecret)),
    prepareToolCall: prepareToolCallActivity(agents, blobs),
  };
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
