/**
 * Retention for a blob store: mark what the runs still kept can reach, then
 * sweep what is left and old enough. Blobs are shared by content (an agent's
 * spec, a common tool result, the transcript a continued run carries on), so
 * age alone never decides: a blob goes only when no kept run reaches it and
 * nobody has written it since the cutoff.
 */
import type { CollectableBlobStore, StoredBlob } from '../transcript/blob-store.ts';

const keyPattern = /[0-9a-f]{64}/g;

export interface GarbageReport {
  /** Blobs in the store, and their bytes. */
  blobs: number;
  bytes: number;
  /** Reached from the kept runs. */
  reachable: number;
  /** Neither reached nor written since the cutoff: deleted, or to be deleted in a dry run. */
  collectable: number;
  collectableBytes: number;
  /** Actually deleted (0 in a dry run; fewer than `collectable` when some were written again meanwhile). */
  deleted: number;
}

export interface CollectGarbageOptions {
  store: CollectableBlobStore;
  /**
   * The texts that name what must stay: the decoded histories of every run
   * kept (open, or closed since the cutoff). Any blob key in them is kept, with
   * every blob it leads to.
   */
  roots: AsyncIterable<string> | Iterable<string>;
  /** Only blobs last written before this are deleted. */
  writtenBefore: Date;
  dryRun?: boolean;
  onProgress?: (line: string) => void;
  /** Blob reads in flight at once while marking. Default 16. */
  concurrency?: number;
}

export async function collectGarbage(options: CollectGarbageOptions): Promise<GarbageReport> {
  const { store } = options;
  const report = options.onProgress ?? (() => {});
  const stored = new Map<string, StoredBlob>();
  let bytes = 0;
  for await (const blob of store.list()) {
    stored.set(blob.key, blob);
    bytes += blob.bytes;
    if (stored.size % 10_000 === 0) report(`Listed ${stored.size} blobs…`);
  }
  report(`${stored.size} blobs in the store.`);

  const reachable = new Set<string>();
  const pending: string[] = [];
  const reach = (text: string) => {
    for (const [key] of text.matchAll(keyPattern)) {
      if (stored.has(key) && !reachable.has(key)) {
        reachable.add(key);
        pending.push(key);
      }
    }
  };
  for await (const text of options.roots) reach(text);
  // A transcript entry names the one before it and the blob holding its content: follow every key a kept blob holds.
  await Promise.all(
    Array.from({ length: options.concurrency ?? 16 }, async () => {
      for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
        reach(await store.get(key));
        if (reachable.size % 5_000 === 0) report(`Marked ${reachable.size} blobs reachable…`);
      }
    }),
  );
  // A marker leaves when the queue is empty; one still reading refills it and carries on itself, so the last to leave finds it empty.

  const collectable = [...stored.values()].filter((blob) => !reachable.has(blob.key) && blob.writtenAt < options.writtenBefore);
  const deleted = options.dryRun || collectable.length === 0 ? 0 : await store.deleteUnlessWritten(collectable.map((blob) => blob.key), options.writtenBefore);
  return {
    blobs: stored.size,
    bytes,
    reachable: reachable.size,
    collectable: collectable.length,
    collectableBytes: collectable.reduce((sum, blob) => sum + blob.bytes, 0),
    deleted,
  };
}
