/**
 * A tool that calls an agent another namespace exposes over Nexus (another
 * team's, run by their workers on their budget): the call is a Nexus operation
 * scheduled by the calling run's workflow, so it is as durable as a sub-agent.
 */
import { z } from 'zod';
import { InvalidDefinitionError } from '../errors.ts';

export interface NexusAgentToolOptions {
  /** The Nexus endpoint that routes to the other namespace (`temporal operator nexus endpoint create`). */
  endpoint: string;
  /** The agent to run there. */
  agent: string;
  /** What the model is told the agent does. */
  description: string;
  /** The tool's name. Default `call_<agent>`. */
  name?: string;
  /** The remote agent's input schema, when it takes JSON. Default: a task in words. */
  input?: z.ZodType;
  /** How long the remote run may take. Default 24 hours. */
  timeoutMs?: number;
}

export interface NexusAgentTool {
  readonly kind: 'nexus_agent';
  readonly name: string;
  readonly description: string;
  readonly endpoint: string;
  readonly agent: string;
  readonly input?: z.ZodType;
  readonly timeoutMs: number;
}

const endpointPattern = /^[a-zA-Z][a-zA-Z0-9_-]{0,199}$/;

export function nexusAgent(options: NexusAgentToolOptions): NexusAgentTool {
  const { endpoint, agent, description, timeoutMs = 24 * 3_600_000 } = options;
  const name = options.name ?? `call_${String(agent).replace(/-/g, '_')}`;
  if (typeof endpoint !== 'string' || !endpointPattern.test(endpoint)) {
    throw new InvalidDefinitionError(`nexusAgent: endpoint ${JSON.stringify(endpoint)} is not a Nexus endpoint name (a letter, then letters, digits, '_' or '-').`);
  }
  if (typeof agent !== 'string' || agent.trim() === '') throw new InvalidDefinitionError('nexusAgent: name the remote agent.');
  if (typeof description !== 'string' || description.trim() === '') {
    throw new InvalidDefinitionError(`nexusAgent '${name}' has no description.`, 'The model chooses tools by their description: say what the other agent does.');
  }
  if (!(Number.isInteger(timeoutMs) && timeoutMs >= 1_000)) throw new InvalidDefinitionError(`nexusAgent '${name}': timeoutMs must be at least 1000.`);
  return { kind: 'nexus_agent', name, description, endpoint, agent, timeoutMs, ...(options.input ? { input: options.input } : {}) };
}
