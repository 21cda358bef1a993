/**
 * A Temporal payload codec that encrypts every payload Cairn writes to history
 * with AES-256-GCM. The whole payload (metadata and data) is sealed, so even its
 * encoding is hidden; the key id rides in the clear so that keys can rotate.
 *
 * What arrives unencrypted, or does not authenticate, is never passed on as if
 * it were genuine: it becomes a {@link RejectedPayload}, which every signal,
 * update and run input validation turns away. Throwing instead would fail the
 * workflow task again and again, so one forged signal would stall a run. A key
 * id this process does not hold does throw: that is a configuration to fix, and
 * the run resumes once it is.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { CairnError } from '../errors.ts';
import type { EncryptionKey, EncryptionSettings } from './encryption-keys.ts';
import { rejectedPayloadField } from './rejected-payload.ts';

const encryptedEncoding = 'binary/encrypted';
const keyIdMetadata = 'encryption-key-id';
const ivBytes = 12;
const tagBytes = 16;
const textEncoder = new TextEncoder();
const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

export class EncryptionCodec implements PayloadCodec {
  private readonly keys: Map<string, EncryptionKey>;
  private readonly current: EncryptionKey;

  constructor(private readonly settings: EncryptionSettings) {
    this.current = settings.keys[0]!;
    this.keys = new Map(settings.keys.map((key) => [key.id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(ivBytes);
      const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
      const sealed = Buffer.concat([iv, cipher.update(PayloadMessage.encode(payload).finish()), cipher.final(), cipher.getAuthTag()]);
      return { metadata: { encoding: textEncoder.encode(encryptedEncoding), [keyIdMetadata]: textEncoder.encode(this.current.id) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.decodeOne(payload));
  }

  private decodeOne(payload: Payload): Payload {
    const encoding = payload.metadata?.encoding ? Buffer.from(payload.metadata.encoding).toString() : undefined;
    if (encoding !== encryptedEncoding) {
      return this.settings.acceptPlaintext ? payload : rejected('it is not encrypted with this stack\'s key');
    }
    const keyId = payload.metadata?.[keyIdMetadata] ? Buffer.from(payload.metadata[keyIdMetadata]).toString() : '';
    const key = this.keys.get(keyId);
    if (!key) {
      throw new CairnError(`A payload is encrypted with key '${keyId.slice(0, 64)}', which this process does not hold.`, {
        hint: 'Add that key to CAIRN_ENCRYPTION_KEYS (after the current one) on every worker and client; runs waiting on it resume once it is there.',
      });
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < ivBytes + tagBytes) return rejected('it is too short to be encrypted');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.key, data.subarray(0, ivBytes));
      decipher.setAuthTag(data.subarray(data.length - tagBytes));
      const plain = Buffer.concat([decipher.update(data.subarray(ivBytes, data.length - tagBytes)), decipher.final()]);
      return PayloadMessage.decode(plain) as Payload;
    } catch {
      return rejected('it does not authenticate with this stack\'s key');
    }
  }
}

function rejected(reason: string): Payload {
  return {
    metadata: { encoding: textEncoder.encode('json/plain') },
    data: textEncoder.encode(JSON.stringify({ [rejectedPayloadField]: `A payload was refused: ${reason}.` })),
  };
}
