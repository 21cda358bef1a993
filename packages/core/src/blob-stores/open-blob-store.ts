import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blobDirectory } from '../config/paths.ts';
import { CairnError } from '../errors.ts';
import type { BlobStore } from '../transcript/blob-store.ts';
import { FileBlobStore } from './file-blob-store.ts';
import { ContentAddressedStore } from './content-addressed-store.ts';
import type { EncryptionSettings } from '../encryption/encryption-keys.ts';
import { PostgresBlobStore } from './postgres-blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

/**
 * Where Cairn keeps what stays out of history, as one string: a folder
 * (`/var/cairn/blobs`, `file:///…`), a PostgreSQL URL (`postgres://user:pass@host/db`)
 * or an S3 location (`s3://bucket/prefix`).
 */
export type BlobStoreSetting = string;

const hint = "Set CAIRN_BLOB_STORE (or defineConfig({ blobStore })) to a folder, postgres://user:password@host:5432/database, or s3://bucket/prefix.";

/** The store a setting names. Nothing is connected until the first read or write. */
export function openBlobStore(setting: BlobStoreSetting, cwd = process.cwd()): BlobStore {
  const value = setting.trim();
  if (value === '') throw new CairnError('The blob store setting is empty.', { hint });
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === 'postgres' || scheme === 'postgresql') return new PostgresBlobStore(value);
  if (scheme === 's3') {
    const { host: bucket, pathname } = new URL(value);
    if (!bucket) throw new CairnError(`'${value}' names no bucket.`, { hint });
    return new S3BlobStore({ bucket, prefix: decodeURIComponent(pathname) });
  }
  if (scheme === 'file') return new FileBlobStore(fileURLToPath(value));
  if (scheme !== undefined) throw new CairnError(`Cairn has no blob store for '${scheme}://' URLs.`, { hint });
  return new FileBlobStore(isAbsolute(value) ? value : resolve(cwd, value));
}

/**
 * The blob store of this process: CAIRN_BLOB_STORE, else the config's
 * `blobStore`, else the folder CAIRN_BLOB_DIR names (default
 * `$CAIRN_HOME/blobs`). The environment wins so that one config can be
 * deployed against different stores.
 */
export function blobStoreFromEnvironment(configured?: BlobStoreSetting | BlobStore, env: NodeJS.ProcessEnv = process.env): BlobStore {
  if (env.CAIRN_BLOB_STORE) return openBlobStore(env.CAIRN_BLOB_STORE);
  if (typeof configured === 'string') return openBlobStore(configured);
  return configured ?? new FileBlobStore(blobDirectory(env));
}

/** Whether this process was told which store the workers share, rather than falling back to its own folder. */
export function sharedBlobStoreConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.CAIRN_BLOB_STORE || env.CAIRN_BLOB_DIR);
}

/**
 * The store, encrypting at rest with the keys that encrypt history, when there
 * are keys. A store of your own (not one of Cairn's) is returned as it is: it
 * keeps its bytes its own way.
 */
export function encryptedAtRest(store: BlobStore, encryption: EncryptionSettings | undefined): BlobStore {
  return encryption && store instanceof ContentAddressedStore ? store.encrypted(encryption) : store;
}
