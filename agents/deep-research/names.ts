/** The agents of the deep-research job, by role. */
export const researchAgentNames = {
  scoper: 'research-scoper',
  planner: 'research-planner',
  researcher: 'research-researcher',
  writer: 'research-writer',
} as const;

/** The run's `toolSettings` key naming the corpus folder, when research runs over private documents. */
export const corpusSetting = 'corpus';
