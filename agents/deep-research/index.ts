import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

export { researchAgents, type ResearchAgentsOptions } from './agents.ts';
export { researchAgentNames, corpusSetting } from './names.ts';
export { recordSource, readSourceRecord, sourcesRead, type Source } from './source-store.ts';
export { checkCitations, type CitationCheck } from './citations.ts';
export { researchActivities, type ResearchActivities, type CheckCitationsInput } from './activities.ts';
export type { ResearchInput, ResearchResult, ResearchStatus, ResearchPhase } from './workflow.ts';

/** The module with the deep-research workflow, for `defineConfig({ workflowModules })`: compiled, or its source, as this one is. */
export const researchWorkflowModule = fileURLToPath(new URL(`./workflow${extname(import.meta.url)}`, import.meta.url));
