import { InvalidDefinitionError } from '../errors.ts';
import type { AgentSpec } from './spec.ts';
import { type AnyTool, describeTool } from './define-tool.ts';

export const knownProviders = ['openai', 'anthropic'] as const;
export type ProviderName = (typeof knownProviders)[number];
export type ModelId = `${ProviderName}:${string}`;

export interface AgentOptions {
  /** Unique among the agents a worker serves; used in run ids and on the CLI. */
  name: string;
  /** `openai:<model>` (also any OpenAI-compatible server through OPENAI_BASE_URL) or `anthropic:<model>`. */
  model: ModelId;
  /** The system prompt. */
  instructions: string;
  tools?: AnyTool[];
  /** The loop stops after this many model calls. Default 20. */
  maxTurns?: number;
  /** Cap on each model call's output. Default 4096. */
  maxOutputTokens?: number;
  /** Tool calls of one turn that run at once. Default 4. */
  toolConcurrency?: number;
}

export interface AgentDefinition {
  readonly kind: 'agent';
  readonly name: string;
  readonly tools: ReadonlyMap<string, AnyTool>;
  /** The serialisable form the workflow runs from. */
  readonly spec: AgentSpec;
}

const agentNamePattern = /^[a-z][a-z0-9_-]{0,62}$/;

/** Defines an agent. Everything is checked here, so a bad definition fails at start-up, not mid-run. */
export function defineAgent(options: AgentOptions): AgentDefinition {
  const { name, model, instructions, tools = [], maxTurns = 20, maxOutputTokens = 4096, toolConcurrency = 4 } = options;
  if (typeof name !== 'string' || !agentNamePattern.test(name)) {
    throw new InvalidDefinitionError(
      `Invalid agent name ${JSON.stringify(name)}: use lower-case letters, digits, '-' or '_', starting with a letter.`,
    );
  }
  const [provider, modelName] = splitModelId(String(model));
  if (!provider || !modelName || !(knownProviders as readonly string[]).includes(provider)) {
    throw new InvalidDefinitionError(
      `Agent '${name}' has model ${JSON.stringify(model)}; expected 'openai:<model>' or 'anthropic:<model>'.`,
      'For an OpenAI-compatible server use openai:<model> and set OPENAI_BASE_URL.',
    );
  }
  if (typeof instructions !== 'string' || instructions.trim() === '') {
    throw new InvalidDefinitionError(`Agent '${name}' has no instructions.`);
  }
  for (const [option, value] of Object.entries({ maxTurns, maxOutputTokens, toolConcurrency })) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidDefinitionError(`Agent '${name}': ${option} must be a positive integer, got ${JSON.stringify(value)}.`);
    }
  }
  const toolsByName = new Map<string, AnyTool>();
  for (const tool of tools) {
    if (tool?.kind !== 'tool') {
      throw new InvalidDefinitionError(`Agent '${name}' lists something that is not a tool: make each one with defineTool().`);
    }
    if (toolsByName.has(tool.name)) {
      throw new InvalidDefinitionError(`Agent '${name}' has two tools named '${tool.name}'.`);
    }
    toolsByName.set(tool.name, tool);
  }
  return {
    kind: 'agent',
    name,
    tools: toolsByName,
    spec: {
      name,
      model,
      instructions,
      tools: [...toolsByName.values()].map(describeTool),
      maxTurns,
      maxOutputTokens,
      toolConcurrency,
    },
  };
}

/** `openai:gpt-4o` → ['openai', 'gpt-4o']; the model part may itself contain ':'. */
export function splitModelId(model: string): [string, string] {
  const colon = model.indexOf(':');
  return colon < 0 ? [model, ''] : [model.slice(0, colon), model.slice(colon + 1)];
}
