/**
 * The digests of every agent run in a namespace that visibility lists, each read from
 * its history once: a closed execution's digest is kept in a cache file under
 * CAIRN_HOME, keyed by its ids and history length, so a second `cairn stats` fetches
 * only what is new or still open.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { fetchDecodedHistory } from '../client/decoded-history.ts';
import { cairnHome } from '../config/paths.ts';
import { CairnError } from '../errors.ts';
import { ensurePrivateDirectory, privateFileMode } from '../config/private-files.ts';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import { digestHistory, digestVersion, type RunDigest } from './run-digest.ts';
import { queryLiteral } from '../client/history-payloads.ts';

export interface CollectDigestsOptions {
  /** Only runs of this agent. */
  agent?: string;
  /** Only executions still open, or closed at or after this time. */
  closedSince?: Date;
  /** Histories fetched at once. Default 8. */
  concurrency?: number;
  /** The cache file. Default: `$CAIRN_HOME/stats/<namespace>.json`. */
  cacheFile?: string;
  /** After each history read (or found cached). */
  onProgress?: (progress: { done: number; total: number; cached: number }) => void;
}

export interface CollectedDigests {
  digests: RunDigest[];
  /** Histories fetched from Temporal this time. */
  fetched: number;
  /** Digests read from the cache. */
  cached: number;
}

interface CacheEntry {
  historyLength: number;
  digest: RunDigest;
}

interface CacheFile {
  version: number;
  entries: Record<string, CacheEntry>;
}

export function defaultStatsCacheFile(namespace: string): string {
  return join(cairnHome(), 'stats', `${encodeURIComponent(namespace)}.json`);
}

export async function collectDigests(client: Client, options: CollectDigestsOptions = {}): Promise<CollectedDigests> {
  const cacheFile = options.cacheFile ?? defaultStatsCacheFile(client.options.namespace);
  const cache = await readCache(cacheFile);
  const clauses = [`WorkflowType = 'agentWorkflow'`];
  if (options.agent) clauses.push(`${CairnSearchAttributes.agent.name} = ${queryLiteral(options.agent)}`);
  if (options.closedSince) clauses.push(`(ExecutionStatus = 'Running' OR CloseTime >= ${queryLiteral(options.closedSince.toISOString())})`);

  const executions: { runId: string; execution: string; historyLength: number; closed: boolean }[] = [];
  for await (const info of client.workflow.list({ query: clauses.join(' AND ') })) {
    executions.push({ runId: info.workflowId, execution: info.runId, historyLength: info.historyLength, closed: info.status.name !== 'RUNNING' });
  }

  const digests: RunDigest[] = [];
  const toFetch: typeof executions = [];
  for (const execution of executions) {
    const entry = cache.entries[`${execution.runId}/${execution.execution}`];
    if (execution.closed && entry && entry.historyLength === execution.historyLength && entry.digest.version === digestVersion) digests.push(entry.digest);
    else toFetch.push(execution);
  }
  const cached = digests.length;
  let done = cached;
  options.onProgress?.({ done, total: executions.length, cached });

  let next = 0;
  const fetchOne = async (): Promise<void> => {
    while (next < toFetch.length) {
      const execution = toFetch[next++]!;
      const history = await fetchDecodedHistory(client, execution.runId, execution.execution);
      let digest: RunDigest;
      try {
        digest = digestHistory(history.events ?? [], execution);
      } catch (error) {
        throw new CairnError(`The history of run ${execution.runId} could not be read: ${(error as Error).message}`, {
          hint: 'If its history is encrypted, run this with the keys its workers use (CAIRN_ENCRYPTION_KEYS).',
          cause: error,
        });
      }
      digests.push(digest);
      // Open executions grow: only a closed one's digest is final.
      if (execution.closed && digest.state !== 'running') cache.entries[`${execution.runId}/${execution.execution}`] = { historyLength: execution.historyLength, digest };
      options.onProgress?.({ done: ++done, total: executions.length, cached });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, toFetch.length) }, fetchOne));

  if (toFetch.length > 0) {
    // Unfiltered, the listing is the namespace's whole record: entries it no longer names are gone.
    if (!options.agent && !options.closedSince) {
      const listed = new Set(executions.map((execution) => `${execution.runId}/${execution.execution}`));
      for (const key of Object.keys(cache.entries)) if (!listed.has(key)) delete cache.entries[key];
    }
    await writeCache(cacheFile, cache);
  }
  return { digests, fetched: toFetch.length, cached };
}

async function readCache(file: string): Promise<CacheFile> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as CacheFile;
    if (parsed.version === digestVersion && parsed.entries && typeof parsed.entries === 'object') return parsed;
  } catch {
    // Missing or unreadable: the cache is only a shortcut, so start a new one.
  }
  return { version: digestVersion, entries: {} };
}

async function writeCache(file: string, cache: CacheFile): Promise<void> {
  ensurePrivateDirectory(join(file, '..'));
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(cache), { mode: privateFileMode });
  await rename(temporary, file);
}
