// Activity-side (reads the blob store): never import this file from workflow code.
import { defineTool } from '@cairn/core';
import { z } from 'zod';
import { type CitationCheck, checkCitations } from './citations.ts';
import { sourcesRead } from './source-store.ts';

const transcriptRef = z.object({ head: z.string().nullable(), length: z.number().int().nonnegative() });

/**
 * `check_citations`: an internal step (never offered to a model) that the
 * research workflow runs on the writer's report. It checks the report against
 * every source the researchers read, found through their transcripts in the
 * shared blob store, and returns the cleaned report, the counts and the
 * failures to send back to the writer. A source that cannot be read fails the
 * step (retried, then reported), rather than striking the citations it backs.
 */
export function checkCitationsTool() {
  return defineTool({
    name: 'check_citations',
    internal: true,
    description:
      "Checks a report's numbered citations and quotations against the sources this research run read; " +
      'returns the report without unverifiable citations and misquoting sentences, the counts, and the failures.',
    input: z.object({ report: z.string(), transcripts: z.array(transcriptRef).default([]) }),
    async execute({ report, transcripts }, context): Promise<CitationCheck> {
      return checkCitations(report, await sourcesRead(context.blobs, transcripts));
    },
  });
}
