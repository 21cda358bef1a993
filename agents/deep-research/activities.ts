// Activity-side (reads the blob store): never import this file from workflow code.
import type { JobActivityDependencies } from '@cairn/core';
import { type CitationCheck, checkCitations } from './citations.ts';
import { sourcesRead } from './source-store.ts';
import type { TranscriptRef } from '@cairn/core/internals';

export interface CheckCitationsInput {
  report: string;
  /** The researchers' conversations: every source they read is recorded there. */
  transcripts: TranscriptRef[];
}

/**
 * The deep-research job's own steps, as activities of its workflow. The citation
 * check reads every source the researchers read, through their transcripts in the
 * shared blob store, and returns the cleaned report, the counts and the failures to
 * send back to the writer. A source that cannot be read fails the step (retried,
 * then reported), rather than striking the citations it backs.
 */
export function researchActivities({ blobs }: JobActivityDependencies) {
  return {
    async checkCitations({ report, transcripts }: CheckCitationsInput): Promise<CitationCheck> {
      return checkCitations(report, await sourcesRead(blobs, transcripts));
    },
  };
}

export type ResearchActivities = ReturnType<typeof researchActivities>;
