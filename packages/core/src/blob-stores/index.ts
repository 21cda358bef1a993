/** `@cairn/core/blob-stores`: where Cairn keeps what stays out of history, chosen by one setting. */
export { openBlobStore, blobStoreFromEnvironment, sharedBlobStoreConfigured, type BlobStoreSetting } from './open-blob-store.ts';
export { PostgresBlobStore } from './postgres-blob-store.ts';
export { S3BlobStore, type S3BlobStoreOptions } from './s3-blob-store.ts';
export { FileBlobStore, isCollectable, type BlobStore, type CollectableBlobStore, type StoredBlob } from '../transcript/blob-store.ts';
