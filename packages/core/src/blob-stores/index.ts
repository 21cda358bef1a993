/** `@cairn/core/blob-stores`: where Cairn keeps what stays out of history, chosen by one setting. */
export { openBlobStore, blobStoreFromEnvironment, encryptedAtRest, sharedBlobStoreConfigured, type BlobStoreSetting } from './open-blob-store.ts';
export { PostgresBlobStore } from './postgres-blob-store.ts';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.ts';
export { FileBlobStore } from './file-blob-store.ts';
export { ContentAddressedStore } from './content-addressed-store.ts';
export type { BlobStorage } from './blob-storage.ts';
export { isCollectable, type BlobStore, type CollectableBlobStore, type StoredBlob } from '../transcript/blob-store.ts';
