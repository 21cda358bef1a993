import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import type { EncryptionKey, EncryptionSettings } from '../encryption/encryption-keys.ts';
import { CairnError } from '../errors.ts';
import { blobKey } from '../transcript/blob-store.ts';

/**
 * How a store names what it keeps and what it writes at rest. The name is
 * always a function of the content, so writing the same thing twice (a retried
 * activity) gives the same name, and every read is checked against it.
 */
export interface BlobSealing {
  name(content: Uint8Array): string;
  seal(content: Uint8Array, name: string): Uint8Array;
  /** The content of `stored`, shown to belong to `name`; throws when it does not. */
  open(stored: Uint8Array, name: string, store: string): Uint8Array;
}

const damaged = (name: string, store: string) =>
  new CairnError(`Blob ${name} in ${store} is damaged: its content does not match its key.`, {
    hint: 'Restore it from a backup, or remove it so that the step that wrote it can be run again.',
  });

/** Plain content under its SHA-256. */
export const plainSealing: BlobSealing = {
  name: (content) => blobKey(content),
  seal: (content) => content,
  open(stored, name, store) {
    if (blobKey(stored) !== name) throw damaged(name, store);
    return stored;
  },
};

const magic = Buffer.from('CAIRNBLOB1');
const nonceBytes = 12;
const tagBytes = 16;

/**
 * AES-256-GCM at rest, with the keys that encrypt history. Names are an HMAC of
 * the content under a key derived from the encryption key, not a bare hash: a
 * bare hash would let anyone who can list the store confirm a guess of what a
 * blob holds. The ciphertext is bound to its name, so blobs cannot be swapped.
 * Layout: magic, key id length, key id, nonce, ciphertext, tag.
 */
export function encryptedSealing(settings: EncryptionSettings): BlobSealing {
  const [current] = settings.keys;
  if (!current) throw new CairnError('Blob encryption needs at least one key.');
  const namingKeys = new Map(settings.keys.map((key) => [key.id, createHmac('sha256', key.key).update('cairn blob names').digest()]));
  const nameWith = (id: string, content: Uint8Array) => createHmac('sha256', namingKeys.get(id)!).update(content).digest('hex');
  const keyOf = (id: string, name: string, store: string): EncryptionKey => {
    const key = settings.keys.find((candidate) => candidate.id === id);
    if (!key) throw new CairnError(`Blob ${name} in ${store} is encrypted with key '${id}', which this process does not hold.`, { hint: `Add key '${id}' to CAIRN_ENCRYPTION_KEYS.` });
    return key;
  };
  return {
    name: (content) => nameWith(current.id, content),
    seal(content, name) {
      const id = Buffer.from(current.id);
      const nonce = randomBytes(nonceBytes);
      const cipher = createCipheriv('aes-256-gcm', current.key, nonce).setAAD(Buffer.from(name));
      return Buffer.concat([magic, Buffer.of(id.length), id, nonce, cipher.update(content), cipher.final(), cipher.getAuthTag()]);
    },
    open(stored, name, store) {
      const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
      if (!bytes.subarray(0, magic.length).equals(magic)) {
        // Written before encryption was turned on: read while plain content is still accepted.
        if (!settings.acceptPlaintext) throw new CairnError(`Blob ${name} in ${store} is not encrypted, and plain blobs are refused (CAIRN_ENCRYPTION_REQUIRED).`, { hint: 'Unset CAIRN_ENCRYPTION_REQUIRED while runs from before encryption are open.' });
        return plainSealing.open(stored, name, store);
      }
      const idLength = bytes[magic.length] ?? 0;
      const idStart = magic.length + 1;
      // Stored bytes are not trusted: one cut short is damaged, not read past its end.
      if (bytes.length < idStart + idLength + nonceBytes + tagBytes) throw damaged(name, store);
      const id = bytes.subarray(idStart, idStart + idLength).toString();
      const key = keyOf(id, name, store);
      const nonceStart = idStart + idLength;
      const body = bytes.subarray(nonceStart + nonceBytes);
      let content: Buffer;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key.key, bytes.subarray(nonceStart, nonceStart + nonceBytes)).setAAD(Buffer.from(name));
        decipher.setAuthTag(body.subarray(body.length - tagBytes));
        content = Buffer.concat([decipher.update(body.subarray(0, body.length - tagBytes)), decipher.final()]);
      } catch {
        throw damaged(name, store);
      }
      if (nameWith(id, content) !== name) throw damaged(name, store);
      return content;
    },
  };
}
