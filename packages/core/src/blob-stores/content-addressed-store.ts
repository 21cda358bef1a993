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
  /**
   * What this process wrote lately, by name. A turn reads back what the turn before wrote
   * (a tool's result goes into the next model call): from memory it costs no read, no
   * round trip to PostgreSQL or S3, and no check. A blob never changes under its name.
   */
  private readonly recent = new RecentBlobs(recentBlobChars);

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
    this.recent.add(name, content);
    return name;
  }

  async get(key: string): Promise<string> {
    checkBlobKey(key);
    const written = this.recent.get(key);
    if (written !== undefined) return written;
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
    for (const key of keys) this.recent.delete(key);
    return this.storage.deleteUnlessWritten(keys, writtenBefore);
  }

  async close(): Promise<void> {
    await this.storage.close?.();
  }
}

/** Characters of recently written content a store keeps: a few turns of every run a busy worker holds. */
const recentBlobChars = 16 * 1024 * 1024;

/** Content by name, the newest kept while their total length stays within `capacity` characters. */
class RecentBlobs {
  private readonly entries = new Map<string, string>();
  private chars = 0;

  constructor(private readonly capacity: number) {}

  get(name: string): string | undefined {
    return this.entries.get(name);
  }

  add(name: string, content: string): void {
    if (content.length > this.capacity / 16) return; // a large blob would push out many small ones
    this.delete(name);
    this.entries.set(name, content);
    this.chars += content.length;
    for (const [oldest, kept] of this.entries) {
      if (this.chars <= this.capacity) break;
      this.entries.delete(oldest);
      this.chars -= kept.length;
    }
  }

  delete(name: string): void {
    const kept = this.entries.get(name);
    if (kept === undefined) return;
    this.entries.delete(name);
    this.chars -= kept.length;
  }
}
