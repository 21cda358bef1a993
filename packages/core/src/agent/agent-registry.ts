import { InvalidDefinitionError, UnknownAgentError } from '../errors.ts';
import type { AgentDefinition } from './define-agent.ts';

/** The agents one worker serves, by name. */
export class AgentRegistry {
  private readonly agents = new Map<string, AgentDefinition>();

  constructor(agents: readonly AgentDefinition[]) {
    for (const agent of agents) {
      if (agent?.kind !== 'agent') throw new InvalidDefinitionError('The config lists something that is not an agent: make each one with defineAgent().');
      if (this.agents.has(agent.name)) throw new InvalidDefinitionError(`Two agents are named '${agent.name}'.`);
      this.agents.set(agent.name, agent);
    }
  }

  get names(): string[] {
    return [...this.agents.keys()];
  }

  get(name: string): AgentDefinition {
    const agent = this.agents.get(name);
    if (!agent) throw new UnknownAgentError(name, this.names);
    return agent;
  }
}
