import { defineAgent } from '@cairn/core';
import { describe, expect, it } from 'vitest';
import { Corpus, corpusTools, fetchPageTool, webSearchTool } from './index.ts';

describe('@cairn/tools', () => {
  it('gives an agent all the research tools, each shown to the model as a JSON Schema', () => {
    const corpus = Corpus.fromDocuments([{ docId: 'a.md', text: 'alpha' }]);
    const agent = defineAgent({
      name: 'researcher',
      model: 'openai:gpt-test',
      instructions: 'Research.',
      tools: [webSearchTool({ name: 'fake', search: async () => [] }), fetchPageTool(), ...corpusTools(corpus)],
    });
    expect(agent.spec.tools.map((tool) => tool.name)).toEqual(['web_search', 'fetch_page', 'corpus_search', 'corpus_read']);
    const search = agent.spec.tools[0]!;
    expect(search.parameters).toMatchObject({ type: 'object', required: ['query'], properties: { query: { type: 'string' }, maxResults: { type: 'integer' } } });
  });

  it('builds web_search without any search key, failing only when it is used', async () => {
    const tool = webSearchTool();
    const saved = { ...process.env };
    for (const name of ['TAVILY_API_KEY', 'BRAVE_API_KEY', 'SEARXNG_URL', 'CAIRN_SEARCH_PROVIDER']) delete process.env[name];
    try {
      const { toolContext } = await import('./test-support/tool-context.ts');
      await expect(Promise.resolve().then(() => tool.execute({ query: 'x' }, toolContext()))).rejects.toThrow(/No web search provider is configured/);
    } finally {
      Object.assign(process.env, saved);
    }
  });
});
