import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { researchActivities, researchAgents, researchWorkflowModule, type ResearchInput, type ResearchResult } from '../index.ts';
import { researchScript, subQuestions, writeFixtureCorpus } from './scripted-research.ts';

/** Every `[n]` of the report, its source id from the Sources list, and the quotes cited with it. */
function citations(report: string) {
  const [body, sourcesSection = ''] = report.split('## Sources');
  const sources = new Map([...sourcesSection.matchAll(/^\[(\d+)\] .+ — (.+)$/gm)].map((match) => [Number(match[1]), match[2]!.trim()]));
  const quotes = [...body!.matchAll(/"([^"]+)" \[(\d+)\]/g)].map((match) => ({ quote: match[1]!, citation: Number(match[2]) }));
  const markers = [...body!.matchAll(/\[(\d+)\]/g)].map((match) => Number(match[1]));
  return { sources, quotes, markers };
}

describe('the deep-research job over a local corpus', () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let corpus: string;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    corpus = writeFixtureCorpus();
    stack = await startTestStack({
      agents: researchAgents({ model: 'openai:gpt-test' }),
      mock,
      workflowModules: [researchWorkflowModule],
      activities: researchActivities,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  async function research(input: ResearchInput): Promise<ResearchResult> {
    const handle = await stack.temporal.workflow.start('deepResearchWorkflow', { workflowId: `research-${Date.now().toString(36)}`, taskQueue: stack.taskQueue, args: [input] });
    return (await handle.result()) as ResearchResult;
  }

  it('writes a report whose every citation resolves to a corpus document containing the quoted text', async () => {
    mock.reset();
    mock.handle(researchScript());
    const result = await research({ question: 'How do tides work?', clarify: false, corpus });

    expect(result.status).toBe('completed');
    expect(result.partial).toBe(false);
    const { sources, quotes, markers } = citations(result.report);
    expect(markers.length).toBeGreaterThanOrEqual(2);
    for (const marker of markers) {
      const id = sources.get(marker);
      expect(id, `citation [${marker}]`).toMatch(/^corpus:/);
    }
    expect(quotes.length).toBe(2);
    for (const { quote, citation } of quotes) {
      const document = readFileSync(join(corpus, sources.get(citation)!.slice('corpus:'.length)), 'utf8');
      expect(document.replace(/\s+/g, ' ')).toContain(quote.replace(/\s+/g, ' '));
    }
    // The writer's misquote and unknown citation were caught, sent back once, and are gone.
    expect(result.report).not.toContain('green cheese');
    expect(result.report).not.toContain('[7]');
    expect(result.report).toMatch(/Citations verified: 2 of 2\.$/);
    expect(result.citations).toEqual({ total: 2, verified: 2 });
    // One researcher per sub-question, in parallel, as child runs of the job.
    expect(result.children.map((child) => child.agent)).toEqual(['research-scoper', 'research-planner', 'research-researcher', 'research-researcher', 'research-writer', 'research-writer']);
    expect(mock.requests.filter((request) => request.system.startsWith('You research') && request.messages.length === 1).map((request) => request.messages[0]!.content.split('Your sub-question: ')[1])).toEqual(
      expect.arrayContaining(subQuestions),
    );
    // The writer saw only the brief and the compressed findings.
    const writerInput = mock.requests.find((request) => request.system.startsWith('You write'))!.messages[0]!.content;
    expect(writerInput).toMatch(/^Research brief:\n# Brief/);
    expect(writerInput).not.toContain('Excerpts (verbatim');
  });

  it('ends with a partial report, marked as such, when the budget is small', async () => {
    mock.reset();
    mock.handle(researchScript());
    const result = await research({ question: 'How do tides work?', clarify: false, corpus, budget: { tokens: 3_000 } });

    expect(result.partial).toBe(true);
    expect(result.status).toBe('budget_exhausted');
    expect(result.report).toMatch(/^> \*\*Partial report\*\*: the job could not finish everything it planned \(.*researcher ran out of budget/);
    // Still a report: what was found, cited and checked.
    expect(result.report).toMatch(/Citations verified: \d+ of \d+\.$/);
    expect(result.usage.inputTokens + result.usage.outputTokens).toBeLessThanOrEqual(3_000);
  });
});
