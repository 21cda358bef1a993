import type { ResolvedAgent } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import type { PriceTable } from '../budget/prices.ts';
import { toActivityFailure } from './failures.ts';

/** Looks the agent up once per run; the spec it returns is recorded in history. */
export function resolveAgentActivity(agents: AgentRegistry, blobs: BlobStore, prices: PriceTable) {
  return async function resolveAgent(name: string): Promise<ResolvedAgent> {
    try {
      const agent = agents.get(name);
      const price = prices[agent.spec.model];
      const spec = price ? { ...agent.spec, price } : agent.spec;
      return { spec, specRef: await blobs.put(JSON.stringify(spec)) };
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}
