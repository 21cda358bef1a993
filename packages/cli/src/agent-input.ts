import { CairnError, type AgentDefinition } from '@cairn/core';

/** The JSON an agent with an input schema takes; the schema itself is checked when the run starts. */
export function jsonInput(agent: AgentDefinition, input: string): unknown {
  try {
    return JSON.parse(input);
  } catch {
    const fields = Object.keys((agent.spec.input?.properties as Record<string, unknown> | undefined) ?? {});
    throw new CairnError(`Agent '${agent.name}' takes JSON input (it declares an input schema), and the input is not JSON.`, {
      hint: `Pass an object with its fields (${fields.join(', ') || 'see its schema'}): cairn run ${agent.name} '{"${fields[0] ?? 'field'}": …}'.`,
    });
  }
}
