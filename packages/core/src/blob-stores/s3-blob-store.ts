import type { S3Client } from '@aws-sdk/client-s3';
import { blobStoreFailure, type StoredBlob } from '../transcript/blob-store.ts';
import type { BlobStorage } from './blob-storage.ts';
import { ContentAddressedStore } from './content-addressed-store.ts';

export interface S3BlobStoreOptions {
  bucket: string;
  /** Folder of the blobs in the bucket, such as `cairn/prod`. Default: the bucket's root. */
  prefix?: string;
  /** An S3-compatible server (MinIO, SeaweedFS, R2, GCS interop). Default: AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, else AWS S3. */
  endpoint?: string;
  /** Default: AWS_REGION or AWS_DEFAULT_REGION, else us-east-1. */
  region?: string;
  /** `bucket/key` paths rather than `bucket.host` names. Default: on with a custom endpoint, as most S3-compatible servers need. */
  forcePathStyle?: boolean;
}

/**
 * Blobs as objects in an S3 bucket, for workers on several machines that share
 * no disk, at `prefix/ab/cdef…` by key. Writers of the same key write the same
 * content, so a race between them leaves the right object whoever wins.
 * Credentials come from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY, a profile, an instance role).
 */
export class S3BlobStore extends ContentAddressedStore {
  constructor(options: S3BlobStoreOptions) {
    super(new S3BlobStorage(options));
  }
}

class S3BlobStorage implements BlobStorage {
  readonly description: string;
  private readonly prefix: string;
  private client: Promise<S3Client> | undefined;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.description = `the S3 blob store s3://${options.bucket}/${this.prefix}`;
  }

  async write(name: string, bytes: Uint8Array): Promise<void> {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await this.call((client) => client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: this.objectName(name), Body: bytes })));
  }

  async read(name: string): Promise<Uint8Array | undefined> {
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    try {
      const object = await (await this.connectedClient()).send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectName(name) }));
      return await object.Body!.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.failure(error);
    }
  }

  async *list(): AsyncIterable<StoredBlob> {
    const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
    const prefix = this.prefix ? `${this.prefix}/` : '';
    let token: string | undefined;
    do {
      const page = await this.call((client) => client.send(new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: token })));
      for (const object of page.Contents ?? []) {
        const key = object.Key?.slice(prefix.length).replace('/', '') ?? '';
        if (/^[0-9a-f]{64}$/.test(key)) yield { key, writtenAt: object.LastModified ?? new Date(0), bytes: object.Size ?? 0 };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async deleteUnlessWritten(names: readonly string[], writtenBefore: Date): Promise<number> {
    const { DeleteObjectCommand, HeadObjectCommand } = await import('@aws-sdk/client-s3');
    let deleted = 0;
    for (const name of names) {
      const objectName = this.objectName(name);
      // S3 has no conditional delete: look again just before, so a blob written since stays.
      const head = await this.call((client) => client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: objectName }))).catch(() => undefined);
      if (!head?.LastModified || head.LastModified >= writtenBefore) continue;
      await this.call((client) => client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: objectName })));
      deleted++;
    }
    return deleted;
  }

  /** Closes the connections (for tests and tidy shutdowns: idle ones never hold a process open). */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    (await client)?.destroy();
  }

  private objectName(name: string): string {
    return `${this.prefix ? `${this.prefix}/` : ''}${name.slice(0, 2)}/${name.slice(2)}`;
  }

  private async call<Output>(operation: (client: S3Client) => Promise<Output>): Promise<Output> {
    const client = await this.connectedClient();
    try {
      return await operation(client);
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(error: unknown): Error {
    return blobStoreFailure(this.description, describeS3Error(error), {
      cause: error,
      hint: 'Check CAIRN_BLOB_STORE, the endpoint (AWS_ENDPOINT_URL_S3), the credentials and that the bucket exists.',
    });
  }

  private connectedClient(): Promise<S3Client> {
    return (this.client ??= this.createClient());
  }

  private async createClient(): Promise<S3Client> {
    // Loaded on first use: a worker on another store never pays for the SDK.
    const { S3Client } = await import('@aws-sdk/client-s3');
    const endpoint = this.options.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
    return new S3Client({
      region: this.options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: this.options.forcePathStyle ?? endpoint !== undefined,
      // Content is checked against its key on every read; the SDK's extra checksums are not understood by every S3-compatible server.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }
}

function isNotFound(error: unknown): boolean {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return name === 'NoSuchKey' || (name !== 'NoSuchBucket' && $metadata?.httpStatusCode === 404);
}

function describeS3Error(error: unknown): string {
  const { name, message, $metadata } = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode ? ` (HTTP ${$metadata.httpStatusCode})` : '';
  return `${name && name !== 'Error' ? `${name}: ` : ''}${message || 'no message'}${status}`;
}
