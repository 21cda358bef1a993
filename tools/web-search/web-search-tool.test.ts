import { describe, expect, it } from 'vitest';
import { sendJson, startLocalServer } from '../test-support/local-server.ts';
import { toolContext } from '../test-support/tool-context.ts';
import { braveProvider } from './brave.ts';
import type { SearchProvider } from './search-provider.ts';
import { webSearchTool } from './web-search-tool.ts';

describe('web_search tool', () => {
  it('searches with the given provider and returns a compact list', async () => {
    const server = await startLocalServer((_request, response) =>
      sendJson(response, 200, { web: { results: [{ title: 'A', url: 'https://a.example/', description: 'About <strong>a</strong>.' }] } }),
    );
    try {
      const tool = webSearchTool(braveProvider({ apiKey: 'k', baseUrl: server.url }));
      expect(tool.name).toBe('web_search');
      const args = tool.input.parse({ query: '  what is a  ' });
      const context = toolContext();
      const output = await tool.execute(args, context);
      expect(output).toEqual({ query: 'what is a', provider: 'brave', results: [{ title: 'A', url: 'https://a.example/', snippet: 'About a.' }] });
      expect(new URL(server.requests[0]!.url, server.url).searchParams.get('count')).toBe('5');
      expect(context.heartbeats).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });

  it('passes maxResults and the abort signal to the provider, and notes empty results', async () => {
    const calls: Array<{ query: string; maxResults: number; signal?: AbortSignal }> = [];
    const provider: SearchProvider = {
      name: 'fake',
      async search(query, options) {
        calls.push({ query, ...options });
        return [];
      },
    };
    const context = toolContext();
    const output = await webSearchTool(provider).execute({ query: 'nothing', maxResults: 12 }, context);
    expect(calls).toEqual([{ query: 'nothing', maxResults: 12, signal: context.signal }]);
    expect(output.note).toMatch(/No results/);
  });

  it('rejects arguments outside the schema', () => {
    const tool = webSearchTool({ name: 'fake', search: async () => [] });
    expect(tool.input.safeParse({ query: '' }).success).toBe(false);
    expect(tool.input.safeParse({ query: 'x', maxResults: 50 }).success).toBe(false);
  });
});
