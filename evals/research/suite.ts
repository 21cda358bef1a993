// `cairn eval evals/research/suite.ts`: the deep-research job over the small corpus beside this file.
// A report passes when every citation's quote is in its source and it covers the case's key facts.
import { fileURLToPath } from 'node:url';
import type { ResearchInput } from '@cairn/agents';
import { citationsVerified, defineSuite, includes, loadJsonlCases } from '@cairn/evals';

export const researchCorpus = fileURLToPath(new URL('./corpus/', import.meta.url));

const cases = await loadJsonlCases(fileURLToPath(new URL('./cases.jsonl', import.meta.url)));

export default defineSuite({
  name: 'research',
  agent: {
    workflowType: 'deepResearchWorkflow',
    agent: 'deep-research',
    input: (evalCase, budget): ResearchInput => ({ question: String(evalCase.input), clarify: false, corpus: researchCorpus, ...(budget?.tokens ? { budget: { tokens: budget.tokens } } : {}) }),
  },
  cases,
  scorers: [citationsVerified(), includes({ atLeast: 0.5 })],
  budget: { tokens: 800_000 },
});
