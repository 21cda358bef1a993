/**
 * The blob stores a cluster's workers share, against real servers: a PostgreSQL
 * of the test's own (initdb + pg_ctl in a temporary folder).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { MockModelServer, eventually, startPostgres, startTestStack, toolResults, type PostgresServer } from '@cairn/testing';
import { askHuman, defineAgent, defineTool } from '../src/index.ts';
import { blobKey } from '../src/transcript/blob-store.ts';
import { PostgresBlobStore } from '../src/blob-stores/postgres-blob-store.ts';
import { openBlobStore } from '../src/blob-stores/open-blob-store.ts';

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

describe('workers that share nothing but a PostgreSQL blob store', () => {
  const report = `quarterly figures: ${'revenue up, costs down. '.repeat(400)}`;
  const lookup = defineTool({ name: 'lookup', description: 'Looks a report up.', input: z.object({ topic: z.string() }), execute: () => report });
  const analyst = defineAgent({ name: 'analyst', model: 'openai:gpt-test', instructions: 'Look it up, ask, then answer.', tools: [lookup, askHuman()] });

  it('carry a run from one worker to another: the second reads the conversation the first wrote', async () => {
    const server = await startPostgres();
    const mock = await MockModelServer.start();
    const stack = await startTestStack({ agents: [analyst], mock, blobStore: server.url });
    try {
      mock.handle((request) => {
        const results = toolResults(request);
        if (results.length === 0) return { toolCalls: [{ id: 'l1', name: 'lookup', arguments: { topic: 'Q3' } }] };
        if (results.length === 1) return { toolCalls: [{ id: 'q1', name: 'ask_human', arguments: { question: 'Summarise for whom?' } }] };
        // The tool result the first worker stored, read by the second from PostgreSQL.
        return { text: results[0]!.content === report ? `For ${results[1]!.content}: revenue up.` : 'the report was lost' };
      });
      const { runId } = await stack.client.start('analyst', 'How did Q3 go?');
      await eventually(async () => ((await stack.client.pending(runId)).length > 0 ? true : undefined), 'the question');

      // The first "host" goes away with its caches; another, with its own connection, takes over.
      await stack.restartWorker();
      await stack.client.answer(runId, 'the board');
      expect((await stack.client.result(runId)).output).toBe('For the board: revenue up.');

      // Everything outside history went to PostgreSQL; the folder a worker would otherwise use stayed empty.
      expect(readdirSync(stack.blobDir)).toEqual([]);
      const client = new pg.Client(server.url);
      await client.connect();
      const { rows } = await client.query("SELECT count(*)::int AS count FROM cairn_blobs WHERE convert_from(content, 'UTF8') = $1", [report]);
      await client.end();
      expect(rows[0].count).toBe(1);
      // `cairn show` reads the run whole through the same store.
      const record = await stack.client.record(runId);
      expect(JSON.stringify(record)).toContain('revenue up, costs down.');
    } finally {
      await stack.stop();
      await mock.close();
      await server.stop();
    }
  });
});
