/**
 * The blob stores a cluster's workers share, against real servers of the
 * test's own: PostgreSQL (initdb + pg_ctl in a temporary folder) and SeaweedFS
 * for S3.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MockModelServer, eventually, startPostgres, startS3Server, startTestStack, toolResults, type PostgresServer, type S3Server } from '@cairn/testing';
import { askHuman, defineAgent, defineTool } from '../src/index.ts';
import { blobKey, type CollectableBlobStore } from '../src/transcript/blob-store.ts';
import { FileBlobStore } from '../src/blob-stores/file-blob-store.ts';
import { TranscriptStore } from '../src/transcript/transcript-store.ts';
import { collectGarbage } from '../src/retention/collect-garbage.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresBlobStore } from '../src/blob-stores/postgres-blob-store.ts';
import { openBlobStore } from '../src/blob-stores/open-blob-store.ts';
import { S3BlobStore } from '../src/blob-stores/s3-blob-store.ts';

describe('PostgresBlobStore', () => {
  let server: PostgresServer;
  const stores: PostgresBlobStore[] = [];
  const store = (url = server.url) => {
    const opened = new PostgresBlobStore(url);
    stores.push(opened);
    return opened;
  };

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await Promise.all(stores.map((opened) => opened.close()));
    await server?.stop();
  });

  it('stores content under its hash, and reads it back whole from another connection', async () => {
    const content = `A tool result with every kind of text: ünïcödé, emoji 🧭, a NUL \u0000 and ${'x'.repeat(200_000)}`;
    const key = await store().put(content);
    expect(key).toBe(blobKey(content));
    expect(await store().get(key)).toBe(content);
  });

  it('is chosen by a postgres:// setting', async () => {
    const opened = openBlobStore(server.url) as PostgresBlobStore;
    stores.push(opened);
    expect(opened).toBeInstanceOf(PostgresBlobStore);
    // The password never shows where the store is named.
    expect(opened.description).not.toContain(server.password);
    expect(await opened.get(await opened.put('chosen by its URL'))).toBe('chosen by its URL');
  });

  it('lets many writers of one key race, from separate workers, and keeps one row', async () => {
    const writers = Array.from({ length: 8 }, () => store());
    const content = `written by everyone at once ${Date.now()}`;
    const keys = await Promise.all(writers.flatMap((writer) => [writer.put(content), writer.put(content)]));
    expect(new Set(keys)).toEqual(new Set([blobKey(content)]));
    const client = new pg.Client(server.url);
    await client.connect();
    const { rows } = await client.query('SELECT count(*)::int AS count FROM cairn_blobs WHERE key = $1', [blobKey(content)]);
    await client.end();
    expect(rows[0].count).toBe(1);
  });

  it('refuses a blob whose content no longer matches its key', async () => {
    const key = await store().put('the true result');
    const client = new pg.Client(server.url);
    await client.connect();
    await client.query('UPDATE cairn_blobs SET content = $2 WHERE key = $1', [key, Buffer.from('a forged result')]);
    await client.end();
    await expect(store().get(key)).rejects.toThrow(`Blob ${key} in the PostgreSQL blob store postgres://cairn@127.0.0.1:${server.port}/postgres is damaged`);
  });

  it('names the store for a key it does not hold, and refuses what is not a key', async () => {
    const missing = blobKey('never written');
    await expect(store().get(missing)).rejects.toThrow(`Blob ${missing} is missing from the PostgreSQL blob store postgres://cairn@127.0.0.1:${server.port}/postgres.`);
    await expect(store().get("x'; DROP TABLE cairn_blobs; --")).rejects.toThrow('Not a blob key');
  });

  it('is collected by cairn gc', async () => {
    // A table of its own: the other tests' blobs would be collectable too.
    const collected = new PostgresBlobStore(server.url, { table: 'cairn_blobs_gc' });
    stores.push(collected);
    await collectsWhatOnlyOldRunsReach(collected);
  });

  it('says which store refused it and why, without the password', async () => {
    const wrong = new URL(server.url);
    wrong.password = 'not-the-password';
    const refused = store(wrong.href);
    const failure = await refused.put('x').catch((error: Error & { hint?: string }) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^The PostgreSQL blob store postgres:\/\/cairn@127\.0\.0\.1:\d+\/postgres failed: password authentication failed/);
    expect((failure as Error).message).not.toContain('not-the-password');
    expect((failure as { hint?: string }).hint).toContain('CAIRN_BLOB_STORE');
  });
});

/**
 * Retention on one store: an old run's blobs go, except what a kept run still
 * reaches (through its transcript chain) and what was written again since the
 * cutoff. S3 keeps times to the second, hence the pauses around the cutoff.
 */
async function collectsWhatOnlyOldRunsReach(store: CollectableBlobStore): Promise<void> {
  const transcripts = new TranscriptStore(store);
  const spec = await store.put(`a spec both runs use ${Math.random()}`);
  const oldResult = await store.put(`an old tool result ${Math.random()}`);
  const rewritten = `a result an old run wrote and a new run writes again ${Math.random()}`;
  await store.put(rewritten);
  // Two appends, two entries (as two turns write them).
  const asked = await transcripts.append({ head: null, length: 0 }, [{ role: 'user', content: 'an old question' }]);
  const old = await transcripts.append(asked, [{ message: { role: 'tool', toolCallId: 'c1', toolName: 'lookup', isError: false, content: '' }, contentRef: oldResult }]);
  const kept = await transcripts.append({ head: null, length: 0 }, [{ role: 'user', content: `a question still open ${Math.random()}` }]);
  const keptLater = await transcripts.append(kept, [{ message: { role: 'tool', toolCallId: 'c2', toolName: 'lookup', isError: false, content: '' }, contentRef: spec }]);
  await sleep(1_100);
  const cutoff = new Date();
  await sleep(1_100);
  await store.put(rewritten);
  const fresh = await store.put(`written after the cutoff ${Math.random()}`);
  // What a kept run's history holds: its spec and transcript head.
  const roots = [JSON.stringify({ specRef: spec, transcript: keptLater })];

  const dry = await collectGarbage({ store, roots, writtenBefore: cutoff, dryRun: true });
  // The old run's two entries and its tool result; not the spec they share, nor what was written again.
  expect(dry).toMatchObject({ collectable: 3, deleted: 0 });
  expect(JSON.parse(await store.get(old.head!))).toMatchObject({ contentRef: oldResult });

  const done = await collectGarbage({ store, roots, writtenBefore: cutoff });
  expect(done).toMatchObject({ collectable: 3, deleted: 3 });
  await expect(store.get(old.head!)).rejects.toThrow('is missing from');
  await expect(store.get(oldResult)).rejects.toThrow('is missing from');
  expect(await new TranscriptStore(store).read(keptLater)).toHaveLength(2);
  expect(await store.get(fresh)).toContain('written after the cutoff');
  expect(await store.get(blobKey(rewritten))).toBe(rewritten);
}

describe('cairn gc on each store', () => {
  it('collects a folder', async () => {
    await collectsWhatOnlyOldRunsReach(new FileBlobStore(mkdtempSync(join(tmpdir(), 'cairn-gc-'))));
  });
});

/**
 * Two "hosts": each worker opens its own connection to the store and starts
 * with empty caches; the run moves from the first to the second while it
 * waits for a person.
 */
async function carryARunAcrossWorkers(blobStore: string, storedCopies: (content: string) => Promise<number>): Promise<void> {
  const report = `quarterly figures: ${'revenue up, costs down. '.repeat(400)}`;
  const lookup = defineTool({ name: 'lookup', description: 'Looks a report up.', input: z.object({ topic: z.string() }), execute: () => report });
  const analyst = defineAgent({ name: 'analyst', model: 'openai:gpt-test', instructions: 'Look it up, ask, then answer.', tools: [lookup, askHuman()] });
  const mock = await MockModelServer.start();
  const stack = await startTestStack({ agents: [analyst], mock, blobStore });
  try {
    mock.handle((request) => {
      const results = toolResults(request);
      if (results.length === 0) return { toolCalls: [{ id: 'l1', name: 'lookup', arguments: { topic: 'Q3' } }] };
      if (results.length === 1) return { toolCalls: [{ id: 'q1', name: 'ask_human', arguments: { question: 'Summarise for whom?' } }] };
      // The tool result the first worker stored, read by the second from the shared store.
      return { text: results[0]!.content === report ? `For ${results[1]!.content}: revenue up.` : 'the report was lost' };
    });
    const { runId } = await stack.client.start('analyst', 'How did Q3 go?');
    await eventually(async () => ((await stack.client.pending(runId)).length > 0 ? true : undefined), 'the question');

    await stack.restartWorker();
    await stack.client.answer(runId, 'the board');
    expect((await stack.client.result(runId)).output).toBe('For the board: revenue up.');

    // Everything outside history went to the shared store, once; the folder a worker would otherwise use stayed empty.
    expect(readdirSync(stack.blobDir)).toEqual([]);
    expect(await storedCopies(report)).toBe(1);
    // `cairn show` reads the run whole through the same store.
    expect(JSON.stringify(await stack.client.record(runId))).toContain('revenue up, costs down.');
  } finally {
    await stack.stop();
    await mock.close();
  }
}

describe('workers that share nothing but a PostgreSQL blob store', () => {
  it('carry a run from one worker to another: the second reads the conversation the first wrote', async () => {
    const server = await startPostgres();
    try {
      await carryARunAcrossWorkers(server.url, async (content) => {
        const client = new pg.Client(server.url);
        await client.connect();
        const { rows } = await client.query("SELECT count(*)::int AS count FROM cairn_blobs WHERE convert_from(content, 'UTF8') = $1", [content]);
        await client.end();
        return rows[0].count;
      });
    } finally {
      await server.stop();
    }
  });
});

describe('S3BlobStore, on SeaweedFS', () => {
  let server: S3Server;
  const stores: S3BlobStore[] = [];
  const store = (prefix = 'runs') => {
    const opened = new S3BlobStore({ bucket: server.bucket, prefix, endpoint: server.endpoint });
    stores.push(opened);
    return opened;
  };
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    server = await startS3Server({ onProgress: (line) => console.error(line) });
    // The credentials reach the store the way they reach any AWS SDK client: from the environment.
    for (const [name, value] of Object.entries(server.env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  }, 30 * 60_000);
  afterAll(async () => {
    await Promise.all(stores.map((opened) => opened.close()));
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await server?.stop();
  });

  it('stores content under its hash, and reads it back whole through another client', async () => {
    const content = `ünïcödé 🧭 and a NUL \u0000 ${'y'.repeat(300_000)}`;
    const key = await store().put(content);
    expect(key).toBe(blobKey(content));
    expect(await store().get(key)).toBe(content);
    // Chosen by an s3:// setting, with the endpoint from AWS_ENDPOINT_URL_S3.
    const opened = openBlobStore(`s3://${server.bucket}/runs`) as S3BlobStore;
    stores.push(opened);
    expect(opened).toBeInstanceOf(S3BlobStore);
    expect(await opened.get(key)).toBe(content);
  });

  it('lets many writers of one key race, and every reader gets the content', async () => {
    const content = `written by everyone at once ${Date.now()}`;
    const writers = Array.from({ length: 8 }, () => store());
    const keys = await Promise.all(writers.flatMap((writer) => [writer.put(content), writer.put(content)]));
    expect(new Set(keys)).toEqual(new Set([blobKey(content)]));
    expect(await Promise.all(writers.map((writer) => writer.get(keys[0]!)))).toEqual(writers.map(() => content));
  });

  it('refuses an object whose content no longer matches its key, and names the store of a missing key', async () => {
    const key = await store('tampered').put('the true result');
    // Overwritten behind Cairn's back under the same name.
    const forger = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1' });
    await forger.send(new PutObjectCommand({ Bucket: server.bucket, Key: `tampered/${key.slice(0, 2)}/${key.slice(2)}`, Body: 'a forged result' }));
    forger.destroy();
    await expect(store('tampered').get(key)).rejects.toThrow(`Blob ${key} in the S3 blob store s3://${server.bucket}/tampered is damaged`);
    const missing = blobKey('never written');
    await expect(store().get(missing)).rejects.toThrow(`Blob ${missing} is missing from the S3 blob store s3://${server.bucket}/runs.`);
  });

  it('is collected by cairn gc', async () => {
    await collectsWhatOnlyOldRunsReach(store(`gc-${Date.now()}`));
  });

  it('says which store refused it and why: a wrong secret, a bucket that does not exist', async () => {
    const noBucket = new S3BlobStore({ bucket: 'no-such-bucket', endpoint: server.endpoint });
    stores.push(noBucket);
    await expect(noBucket.get(blobKey('x'))).rejects.toThrow(/^The S3 blob store s3:\/\/no-such-bucket\/ failed: NoSuchBucket/);
    process.env.AWS_SECRET_ACCESS_KEY = 'not-the-secret';
    try {
      const refused = new S3BlobStore({ bucket: server.bucket, endpoint: server.endpoint });
      stores.push(refused);
      const failure = (await refused.put('x').catch((error: unknown) => error)) as Error & { hint?: string };
      expect(failure.message).toMatch(/^The S3 blob store s3:\/\/cairn\/ failed: .*\(HTTP 403\)\.$/);
      expect(failure.hint).toContain('credentials');
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = server.env.AWS_SECRET_ACCESS_KEY;
    }
  });

  it('carries a run from one worker to another, as PostgreSQL does', async () => {
    await carryARunAcrossWorkers(`s3://${server.bucket}/carried`, async (content) => {
      const client = new S3Client({ endpoint: server.endpoint, forcePathStyle: true, region: 'us-east-1' });
      const key = blobKey(content);
      const listed = await client.send(new ListObjectsV2Command({ Bucket: server.bucket, Prefix: `carried/${key.slice(0, 2)}/${key.slice(2)}` }));
      client.destroy();
      return listed.KeyCount ?? 0;
    });
  });
});
