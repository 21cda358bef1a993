import type { ResolvedAgent } from '../activity-contract.ts';
import type { AgentRegistry } from '../agent/agent-registry.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import type { PriceTable } from '../budget/prices.ts';
import { toActivityFailure } from './failures.ts';
import { checkWindow, type AgentDefinition } from '../agent/define-agent.ts';
import { defaultContextPolicy, type ContextPolicy } from '../context/context-policy.ts';
import type { ProviderRegistry } from '../providers/registry.ts';

/** Looks the agent up once per run; the spec it returns is recorded in history. */
export function resolveAgentActivity(agents: AgentRegistry, blobs: BlobStore, prices: PriceTable, providers: ProviderRegistry, contextWindow: (model: string) => number | undefined) {
  return async function resolveAgent(request: string | { name: string; model?: string }): Promise<ResolvedAgent> {
    try {
      const { name, model: override } = typeof request === 'string' ? { name: request, model: undefined } : request;
      const agent = agents.get(name);
      const model = override ?? agent.spec.model;
      if (override !== undefined) providers.checkModelId(override, `The run's model ${JSON.stringify(override)}`);
      const price = prices[model];
      const context = contextPolicy(agent, model, contextWindow(model));
      const spec = { ...agent.spec, model, ...(price ? { price } : {}), ...(context ? { context } : {}) };
      return { spec, specRef: await blobs.put(JSON.stringify(spec)) };
    } catch (error) {
      throw toActivityFailure(error);
    }
  };
}

/** The agent's context settings completed with the model's window; none when no window is known or compaction is off. */
function contextPolicy(agent: AgentDefinition, model: string, knownWindow: number | undefined): ContextPolicy | undefined {
  if (agent.context === false) return undefined;
  const window = agent.context?.window ?? knownWindow;
  if (window === undefined) return undefined;
  const policy = { ...defaultContextPolicy, ...agent.context, window };
  checkWindow(agent.name, window, agent.spec.maxOutputTokens, policy.summaryMaxTokens);
  return policy;
}
