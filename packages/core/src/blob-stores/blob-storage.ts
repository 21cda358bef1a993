import type { StoredBlob } from '../transcript/blob-store.ts';

/**
 * Where a blob store keeps its bytes: a folder, a table, a bucket. It stores
 * bytes under names it is given and knows nothing of hashing or encryption;
 * `ContentAddressedStore` names, seals and checks what goes through it.
 */
export interface BlobStorage {
  /** Where the bytes are, fit to print (no password). */
  readonly description: string;
  /** Writes `bytes` under `name`, or marks them written again when they are there. */
  write(name: string, bytes: Uint8Array): Promise<void>;
  /** The bytes under `name`, or undefined when there are none. */
  read(name: string): Promise<Uint8Array | undefined>;
  list(): AsyncIterable<StoredBlob>;
  /** Deletes these, except any written at or after `writtenBefore`; returns how many went. */
  deleteUnlessWritten(names: readonly string[], writtenBefore: Date): Promise<number>;
  close?(): Promise<void>;
}
