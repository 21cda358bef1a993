import type { AgentDefinition } from '@cairn/core';
import { defaultModel } from './default-model.ts';
import { assistant } from './examples/assistant.ts';

export { defaultModel } from './default-model.ts';
export { assistant, currentTime } from './examples/assistant.ts';

/** The agents a worker serves when there is no cairn.config.ts. */
export function builtInAgents(model = defaultModel()): AgentDefinition[] {
  return [assistant(model)];
}
