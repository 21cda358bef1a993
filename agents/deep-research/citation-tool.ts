// Activity-side (reads the source store): never import this file from workflow code.
import { defineTool } from '@cairn/core';
import { z } from 'zod';
import { type CitationCheck, checkCitations } from './citations.ts';
import type { SourceStore } from './source-store.ts';

/**
 * `check_citations`: an internal step (never offered to a model) that the
 * research workflow runs on the writer's report. It checks the report against
 * every source the research run read (`checkCitations`) and returns the
 * cleaned report, the counts and the failures to send back to the writer.
 */
export function checkCitationsTool(sources: SourceStore) {
  return defineTool({
    name: 'check_citations',
    internal: true,
    description:
      "Checks a report's numbered citations and quotations against the sources this research run read; " +
      'returns the report without unverifiable citations and misquoting sentences, the counts, and the failures.',
    input: z.object({ report: z.string() }),
    async execute({ report }, context): Promise<CitationCheck> {
      const read = await sources.list(context.runId);
      return checkCitations(report, new Map(read.map((source) => [source.id, source])));
    },
  });
}
