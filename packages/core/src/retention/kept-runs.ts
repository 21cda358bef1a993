import type { Client } from '@temporalio/client';
import { fetchDecodedHistory } from '../client/decoded-history.ts';
import { CairnError } from '../errors.ts';

export interface KeptRuns {
  /** The decoded text of each kept run's history, for {@link collectGarbage}'s roots. */
  texts: AsyncIterable<string>;
  /** How many histories were read, once `texts` is exhausted. */
  count(): number;
}

/**
 * Every run retention must keep: open, or closed at or after `closedBefore`,
 * of any workflow type (sub-agents and continued runs included). Histories are
 * decoded first, so encrypted runs name their blobs too; a history that cannot
 * be read stops the collection rather than losing what it names.
 */
export function keptRuns(client: Client, closedBefore: Date, options: { onProgress?: (line: string) => void; concurrency?: number } = {}): KeptRuns {
  let read = 0;
  const query = `ExecutionStatus = 'Running' OR CloseTime >= '${closedBefore.toISOString()}'`;
  async function* texts(): AsyncIterable<string> {
    let batch: { workflowId: string; runId: string }[] = [];
    const flush = async () => {
      const texts = await Promise.all(
        batch.map(async ({ workflowId, runId }) => {
          const text = historyText(await fetchDecodedHistory(client, workflowId, runId));
          // Unread, its blob keys would be invisible and its blobs collected from under it.
          if (text.includes(stillEncrypted)) {
            throw new CairnError(`The history of run ${workflowId} is encrypted, and this process holds no key for it: it cannot tell which blobs that run needs. Nothing was deleted.`, {
              hint: 'Run cairn gc with the keys the workers use (CAIRN_ENCRYPTION_KEYS).',
            });
          }
          return text;
        }),
      );
      batch = [];
      read += texts.length;
      if (read % 100 < texts.length) options.onProgress?.(`Read ${read} histories…`);
      return texts;
    };
    for await (const execution of client.workflow.list({ query })) {
      batch.push({ workflowId: execution.workflowId, runId: execution.runId });
      if (batch.length >= (options.concurrency ?? 8)) yield* await flush();
    }
    if (batch.length > 0) yield* await flush();
  }
  return { texts: texts(), count: () => read };
}

/** The encoding of a payload Cairn's codec sealed, as it reads while still sealed. */
const stillEncrypted = 'binary/encrypted';

/** Every string and payload of a history as text: blob keys sit in payload data, which arrives as bytes. */
export function historyText(history: unknown): string {
  const parts: string[] = [];
  const decoder = new TextDecoder();
  const walk = (value: unknown): void => {
    if (typeof value === 'string') parts.push(value);
    else if (value instanceof Uint8Array) parts.push(decoder.decode(value));
    else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') Object.values(value).forEach(walk);
  };
  walk(history);
  return parts.join('\n');
}
