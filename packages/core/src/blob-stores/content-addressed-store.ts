import type { EncryptionSettings } from '../encryption/encryption-keys.ts';
import { checkBlobKey, missingBlobError, type CollectableBlobStore, type StoredBlob } from '../transcript/blob-store.ts';
import { encryptedSealing, plainSealing, type BlobSealing } from './blob-sealing.ts';
import type { BlobStorage } from './blob-storage.ts';

/**
 * A blob store over any storage: each blob is named by its content (so a
 * retried write lands on the same name and concurrent writers agree), sealed
 * at rest when encryption is on, and checked against its name on every read,
 * so a tampered or truncated blob is an error, never wrong data.
 */
export class ContentAddressedStore implements CollectableBlobStore {
  constructor(
    private readonly storage: BlobStorage,
    private readonly sealing: BlobSealing = plainSealing,
  ) {}

  get description(): string {
    return this.storage.description;
  }

  /** The same storage, sealed with these keys from now on; blobs written before stay readable while plain content is accepted. */
  encrypted(settings: EncryptionSettings): ContentAddressedStore {
    return new ContentAddressedStore(this.storage, encryptedSealing(settings));
  }

  async put(content: string): Promise<string> {
    const bytes = Buffer.from(content, 'utf8');
    const name = this.sealing.name(bytes);
    await this.storage.write(name, this.sealing.seal(bytes, name));
    return name;
  }

  async get(key: string): Promise<string> {
    checkBlobKey(key);
    const stored = await this.storage.read(key);
    if (stored === undefined) throw missingBlobError(key, this.storage.description);
    const content = this.sealing.open(stored, key, this.storage.description);
    return Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('utf8');
  }

  list(): AsyncIterable<StoredBlob> {
    return this.storage.list();
  }

  deleteUnlessWritten(keys: readonly string[], writtenBefore: Date): Promise<number> {
    keys.forEach(checkBlobKey);
    return this.storage.deleteUnlessWritten(keys, writtenBefore);
  }

  async close(): Promise<void> {
    await this.storage.close?.();
  }
}
