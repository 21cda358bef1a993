import type { AgentDefinition } from '@cairn/core';
import { defaultModel } from './default-model.ts';
import { assistant } from './examples/assistant.ts';
import type { JobActivities, JobActivityDependencies } from '@cairn/core';
import { researchActivities, researchAgents, researchWorkflowModule } from './deep-research/index.ts';

export { defaultModel } from './default-model.ts';
export { assistant, currentTime } from './examples/assistant.ts';
export * from './deep-research/index.ts';

/** The agents every `cairn` worker serves: the assistant example and the deep-research job's agents. */
export function builtInAgents(model = defaultModel()): AgentDefinition[] {
  return [assistant(model), ...researchAgents({ model })];
}

/** Workflows beyond the agent loop that every `cairn` worker serves. */
export const builtInWorkflowModules = [researchWorkflowModule];

/** The activities those workflows call. */
export function builtInActivities(dependencies: JobActivityDependencies): JobActivities {
  return researchActivities(dependencies);
}
