import { InvalidDefinitionError, UnknownAgentError } from '../errors.ts';
import type { AgentDefinition } from './define-agent.ts';

/** The agents one worker serves, by name. */
export class AgentRegistry {
  private readonly agents = new Map<string, AgentDefinition>();

  /** Sub-agents are served too, whether or not they are listed themselves. */
  constructor(agents: readonly AgentDefinition[]) {
    const add = (agent: AgentDefinition) => {
      if (agent?.kind !== 'agent') throw new InvalidDefinitionError('The config lists something that is not an agent: make each one with defineAgent().');
      const known = this.agents.get(agent.name);
      if (known === agent) return;
      if (known) throw new InvalidDefinitionError(`Two different agents are named '${agent.name}'.`);
      this.agents.set(agent.name, agent);
      agent.subAgents.forEach(add);
    };
    agents.forEach(add);
  }

  get names(): string[] {
    return [...this.agents.keys()];
  }

  has(name: string): boolean {
    return this.agents.has(name);
  }

  get(name: string): AgentDefinition {
    const agent = this.agents.get(name);
    if (!agent) throw new UnknownAgentError(name, this.names);
    return agent;
  }
}
