// Activity-side definitions (tools do I/O): the workflow never imports this file.
import { askHuman, defineAgent, type AnyTool, type ModelId, type ToolContext } from '@cairn/core';
import { CorpusCache, selectSearchProvider, type SearchProvider } from '@cairn/tools';
import { checkCitationsTool } from './citation-tool.ts';
import { citationInstructions } from './citations.ts';
import { corpusSetting, researchAgentNames } from './names.ts';
import { researchTools } from './research-tools.ts';

/**
 * A researcher's tools, bound per run: over the corpus folder the run names
 * (kept per worker while the folder is unchanged), else the web search provider the
 * environment configures (chosen at the first search, so a corpus-only worker
 * needs no search key).
 */
function runScopedResearchTools(): AnyTool[] {
  const corpora = new CorpusCache();
  const corpus = (context: ToolContext) => {
    const folder = context.settings[corpusSetting];
    return folder ? corpora.get(folder) : undefined;
  };
  let web: SearchProvider | undefined;
  const search: SearchProvider = {
    name: 'web',
    search: (query, options) => (web ??= selectSearchProvider()).search(query, options),
  };
  return [...researchTools({ corpus, search })];
}

export interface ResearchAgentsOptions {
  model: ModelId;
  /** Tool calls one researcher may make. Default 12. */
  researcherToolCalls?: number;
}

/** The agents the deep-research workflow runs as its steps. */
export function researchAgents({ model, researcherToolCalls = 12 }: ResearchAgentsOptions) {
  const scoper = defineAgent({
    name: researchAgentNames.scoper,
    model,
    tools: [askHuman({ timeoutMs: 30 * 60_000, defaultAnswer: 'No answer came; make reasonable assumptions and state them in the brief.' })],
    maxTurns: 5,
    instructions: [
      'You scope a research question before research starts.',
      'If the question is vague or could mean several things that would change the research, ask the person up to 3 short clarifying questions with ask_human, one at a time. If it is already specific, ask nothing.',
      'Then write the research brief as your final answer, in markdown: the objective in one or two sentences, what is in and out of scope, the sub-questions worth answering, and any preferences the person stated (quote their answers).',
    ].join('\n'),
  });
  const planner = defineAgent({
    name: researchAgentNames.planner,
    model,
    maxTurns: 1,
    instructions: [
      'You plan research. Given a brief and what has been researched so far, choose the next sub-questions: each answerable on its own by one researcher, none repeating what was covered.',
      'Answer with JSON only: {"subQuestions": ["...", "..."], "done": false}. Use "done": true with an empty list when the brief is covered.',
    ].join('\n'),
  });
  const researcher = defineAgent({
    name: researchAgentNames.researcher,
    model,
    tools: runScopedResearchTools(),
    budget: { toolCalls: researcherToolCalls },
    maxTurns: researcherToolCalls + 2,
    instructions: [
      'You research one sub-question. Use search to find sources and read_source to read the promising ones; read_source returns verbatim excerpts.',
      'Stop when you can answer, or when more searching is not finding anything new.',
      'Your final answer is your compressed findings: short bullet points, each a claim with its evidence, quoting the excerpts word for word in double quotes and ending with [source: <id>] using the exact id read_source printed.',
      'Only cite sources you read with read_source. Say plainly what you could not find.',
    ].join('\n'),
  });
  const writer = defineAgent({
    name: researchAgentNames.writer,
    model,
    // Only for jobs started before the citation check became an activity (`activities.ts`): remove in 0.4.
    tools: [checkCitationsTool()],
    maxTurns: 1,
    maxOutputTokens: 8_000,
    instructions: [
      'You write a research report in markdown from a brief and compressed findings, and nothing else: use no knowledge of your own.',
      'Start with a title and a short summary, then sections that answer the brief, then what remains uncertain.',
      citationInstructions,
    ].join('\n\n'),
  });
  return [scoper, planner, researcher, writer];
}
