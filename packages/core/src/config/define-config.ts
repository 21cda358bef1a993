import { InvalidDefinitionError } from '../errors.ts';
import type { AgentDefinition } from '../agent/define-agent.ts';
import type { PriceTable } from '../budget/prices.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import type { BlobStoreSetting } from '../blob-stores/open-blob-store.ts';
import type { ProviderDefinition } from '../providers/define-provider.ts';
import { ProviderRegistry } from '../providers/registry.ts';
import { AgentRegistry } from '../agent/agent-registry.ts';

/** What a worker gives the activities of a config's own workflows. */
export interface JobActivityDependencies {
  /** The blob store every worker of the task queue shares. */
  blobs: BlobStore;
}

/** Activity functions take and return plain data; their argument types are the workflow's to declare. */
export type JobActivities = Record<string, (...args: never[]) => Promise<unknown>>;

export interface CairnConfig {
  /** The agents a worker started with this config serves. */
  agents: AgentDefinition[];
  /** Task queue of the agent workflows. Default `cairn` (or CAIRN_TASK_QUEUE). */
  taskQueue?: string;
  /**
   * Where the workers keep what stays out of history (transcripts, tool results,
   * agent specs, research sources): a folder, `postgres://…` or `s3://bucket/prefix`,
   * or a `BlobStore` of your own. CAIRN_BLOB_STORE, when set, wins. Default: the
   * folder CAIRN_BLOB_DIR, else `$CAIRN_HOME/blobs`.
   */
  blobStore?: BlobStoreSetting | BlobStore;
  /**
   * Names the code these workers run, recorded in history on every workflow task they
   * complete (`cairn show`, `cairn rewind --bad-build`). Default: CAIRN_BUILD_ID, else a
   * fingerprint of the workflow bundle, the agents and their tools' code.
   */
  buildId?: string;
  /**
   * Model providers besides Cairn's own (`openai`, `anthropic`), made with `defineProvider()` or
   * `openaiCompatible()`: their id is the prefix of the agents' model ids (`ollama:llama3.1`).
   */
  providers?: ProviderDefinition[];
  /** Model prices (USD per million tokens) by `provider:model`, over the providers' own. */
  prices?: PriceTable;
  /** Context windows in tokens by `provider:model`, over the providers' own: compaction keeps each conversation within them. */
  contextWindows?: Record<string, number>;
  /**
   * Absolute paths of modules with workflows of your own, bundled with Cairn's
   * (they must be deterministic, as all workflow code).
   */
  workflowModules?: string[];
  /**
   * The activities those workflows call (a job's own steps, such as deep research's
   * citation check), made once per worker from what it has. Their names must not
   * clash with Cairn's own (`resolveAgent`, `callModel`, `runTool`, `prepareToolCall`).
   */
  activities?: (dependencies: JobActivityDependencies) => JobActivities;
  /**
   * Agents that workflows of other namespaces may run through Nexus (the `cairn-agents` service,
   * operation `runAgent`; callers use `nexusAgent()`). Reached through a Nexus endpoint that
   * targets this namespace and task queue. Default: none, and no Nexus service is served.
   */
  nexus?: { agents: string[] };
}

/** The default export of `cairn.config.ts`. */
export function defineConfig(config: CairnConfig): CairnConfig {
  if (!config || !Array.isArray(config.agents) || config.agents.length === 0) {
    throw new InvalidDefinitionError('defineConfig needs at least one agent: defineConfig({ agents: [myAgent] }).');
  }
  // Each agent's provider must be one Cairn has or the config defines: checked now, not in a run.
  const providers = new ProviderRegistry(config.providers);
  const agents = new AgentRegistry(config.agents);
  for (const name of agents.names) providers.checkModelId(agents.get(name).spec.model, `Agent '${name}'`);
  for (const name of config.nexus?.agents ?? []) {
    if (!agents.has(name)) throw new InvalidDefinitionError(`nexus.agents names '${name}', which the config does not serve. Agents: ${agents.names.join(', ')}.`);
  }
  return config;
}
