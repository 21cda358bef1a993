import type { Pool, PoolConfig, QueryResultRow } from 'pg';
import { CairnError, isCairnError } from '../errors.ts';
import { redactUrl } from '../redact.ts';
import { blobStoreFailure, type StoredBlob } from '../transcript/blob-store.ts';
import type { BlobStorage } from './blob-storage.ts';
import { ContentAddressedStore } from './content-addressed-store.ts';

/** PostgreSQL's code for a unique violation: two processes creating the table at once. */
const uniqueViolation = '23505';

/**
 * Blobs in a PostgreSQL table, for workers on several machines that share no
 * disk. One row per blob: its key, its bytes, and when it was last written.
 * Writers of the same key race harmlessly: the first insert wins, and the rest
 * only mark the row as written again.
 */
export class PostgresBlobStore extends ContentAddressedStore {
  constructor(url: string, options: { table?: string; poolSize?: number } = {}) {
    super(new PostgresBlobStorage(url, options));
  }
}

class PostgresBlobStorage implements BlobStorage {
  readonly description: string;
  private pool: Promise<Pool> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: { table?: string; poolSize?: number },
  ) {
    this.description = `the PostgreSQL blob store ${withoutPassword(url)}`;
    if (options.table !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.table)) {
      throw new CairnError(`'${options.table}' is not a table name Cairn can use for blobs.`, { hint: 'Use lower-case letters, digits and underscores.' });
    }
  }

  private get table(): string {
    return this.options.table ?? 'cairn_blobs';
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    // Written again means wanted again: retention keeps a blob a later run wrote, however old the row.
    await this.query(`INSERT INTO ${this.table} (key, content) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET written_at = now()`, [name, Buffer.from(bytes)]);
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const { rows } = await this.query<{ content: Buffer }>(`SELECT content FROM ${this.table} WHERE key = $1`, [name]);
    return rows[0]?.content;
  }

  async *list(): AsyncIterable<StoredBlob> {
    // In pages by key, so a table of millions is never read at once.
    let after = '';
    for (;;) {
      const { rows } = await this.query<{ key: string; written_at: Date; bytes: number }>(
        `SELECT key, written_at, octet_length(content) AS bytes FROM ${this.table} WHERE key > $1 ORDER BY key LIMIT 1000`,
        [after],
      );
      for (const row of rows) yield { key: row.key, writtenAt: row.written_at, bytes: row.bytes };
      if (rows.length < 1000) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  async deleteUnlessWritten(names: readonly string[], writtenBefore: Date): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < names.length; start += 1000) {
      const result = await this.query(`DELETE FROM ${this.table} WHERE key = ANY($1) AND written_at < $2 RETURNING key`, [names.slice(start, start + 1000), writtenBefore]);
      deleted += result.rows.length;
    }
    return deleted;
  }

  /** Closes the connections. Idle connections never hold a process open, so this is for tests and tidy shutdowns. */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await (await pool?.catch(() => undefined))?.end();
  }

  private async query<Row extends QueryResultRow>(text: string, values: unknown[]): Promise<{ rows: Row[] }> {
    const pool = await this.connected();
    try {
      return await pool.query<Row>(text, values);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** The pool, with the table made on first use; a failed start is tried again by the next call. */
  private connected(): Promise<Pool> {
    this.pool ??= this.open().catch((error: unknown) => {
      this.pool = undefined;
      throw error;
    });
    return this.pool;
  }

  private async open(): Promise<Pool> {
    // Loaded on first use: a worker on another store never pays for the driver.
    const { default: pg } = await import('pg');
    const config: PoolConfig = { connectionString: this.url, max: this.options.poolSize ?? 10, allowExitOnIdle: true, connectionTimeoutMillis: 10_000 };
    const pool = new pg.Pool(config);
    // An idle connection the server drops must not crash the worker: the next query opens another.
    pool.on('error', () => {});
    const create = `CREATE TABLE IF NOT EXISTS ${this.table} (key text PRIMARY KEY, content bytea NOT NULL, written_at timestamptz NOT NULL DEFAULT now())`;
    try {
      await pool.query(create);
    } catch (error) {
      if ((error as { code?: string }).code !== uniqueViolation) {
        await pool.end().catch(() => {});
        throw this.failure(error);
      }
      // Another worker made the table at the same moment: it is there now.
    }
    return pool;
  }

  private failure(error: unknown): unknown {
    if (isCairnError(error)) return error;
    const message = (error as Error).message || (error as { code?: string }).code || String(error);
    return blobStoreFailure(this.description, message, {
      cause: error,
      hint: 'Check CAIRN_BLOB_STORE (host, port, database, user and password) and that the server is up.',
    });
  }
}

/** The URL with its user (which helps find a wrong setting) and without its password. */
function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.href;
  } catch {
    return redactUrl(url);
  }
}
