import { CairnError } from '@cairn/core';
import { blobStoreFromEnvironment, encryptedAtRest, isCollectable, sharedBlobStoreConfigured } from '@cairn/core/blob-stores';
import { stackEncryption } from '../encryption.ts';
import { collectGarbage, keptRuns } from '@cairn/core/retention';
import { isEmbedded } from '@cairn/core/temporal';
import { loadCliConfig } from '../config.ts';
import { openSession } from '../session.ts';
import { dim, green, printJson } from '../print.ts';

export interface GcOptions {
  olderThan: number;
  dryRun?: boolean;
  json?: boolean;
  config?: string;
}

/**
 * `cairn gc --older-than 30d`: deletes the blobs only runs closed before then
 * reach. Open runs, runs closed since, and anything they share with older runs
 * stay.
 */
export async function gcCommand(options: GcOptions): Promise<number> {
  const log = (line: string) => console.error(dim(line));
  const { config } = await loadCliConfig(options.config);
  if (!isEmbedded() && !sharedBlobStoreConfigured() && !config.blobStore) {
    throw new CairnError("On a cluster, 'cairn gc' needs to be told which blob store the workers share.", { hint: 'Set CAIRN_BLOB_STORE (or CAIRN_BLOB_DIR) as the workers have it.' });
  }
  // Marking reads what kept blobs name, so it reads them as the workers wrote them.
  const store = encryptedAtRest(blobStoreFromEnvironment(config.blobStore), stackEncryption(isEmbedded()));
  if (!isCollectable(store)) throw new CairnError(`${store.description ?? 'This blob store'} cannot list or delete its blobs, so 'cairn gc' cannot collect it.`, { hint: 'Give the store list() and deleteUnlessWritten() (CollectableBlobStore).' });

  const startedAt = new Date();
  const cutoff = new Date(startedAt.getTime() - options.olderThan);
  const session = await openSession({ log });
  try {
    log(`Finding the runs to keep: open, or closed since ${cutoff.toISOString()} …`);
    const kept = keptRuns(session.temporal, cutoff, { onProgress: log });
    const report = await collectGarbage({ store, roots: kept.texts, writtenBefore: cutoff, dryRun: options.dryRun, onProgress: log });
    if (options.json) {
      printJson({ cutoff: cutoff.toISOString(), store: store.description, keptRuns: kept.count(), dryRun: options.dryRun === true, ...report });
      return 0;
    }
    const megabytes = (count: number) => `${(count / 1_048_576).toFixed(1)} MB`;
    console.log(`Store: ${store.description ?? 'the blob store'}`);
    console.log(`Kept runs: ${kept.count()} (open, or closed since ${cutoff.toISOString()})`);
    console.log(`Blobs: ${report.blobs} (${megabytes(report.bytes)}); ${report.reachable} reached from kept runs`);
    console.log(
      options.dryRun
        ? `Dry run: would delete ${report.collectable} blobs (${megabytes(report.collectableBytes)}) that no kept run reaches, last written before the cutoff.`
        : `${green('✓')} Deleted ${report.deleted} blobs (${megabytes(report.collectableBytes)})${report.deleted < report.collectable ? `; ${report.collectable - report.deleted} were written again meanwhile and stay` : ''}.`,
    );
    return 0;
  } finally {
    await session.close();
  }
}
