/**
 * The keys that encrypt what Cairn puts in Temporal's history. Each has an id,
 * written beside every encrypted payload, so keys can rotate: the first key
 * encrypts, every listed key decrypts.
 *
 * On a cluster they come from `CAIRN_ENCRYPTION_KEYS` (`id:base64key,…`, 32-byte
 * keys). The embedded stack keeps its own in `CAIRN_HOME/encryption-keys`,
 * readable by its owner only: that file is the credential another user of the
 * machine lacks (decision 0003).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CairnError } from '../errors.ts';
import { privateFileMode } from '../config/private-files.ts';

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface EncryptionSettings {
  /** The first key encrypts; all of them decrypt. */
  keys: EncryptionKey[];
  /**
   * Whether payloads that are not encrypted are still read. Off, a plain payload
   * (a signal, an update or a run started by someone without the key) reaches
   * Cairn as a rejected value: validation turns it away and the run goes on.
   */
  acceptPlaintext: boolean;
}

const keyBytes = 32;
const keyIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

export class EncryptionKeyError extends CairnError {
  constructor(message: string, hint: string) {
    super(message, { hint });
    this.name = 'EncryptionKeyError';
  }
}

/** Parses `id:base64key[,id:base64key…]`. */
export function parseEncryptionKeys(text: string, source: string): EncryptionKey[] {
  const entries = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  const hint = `Set ${source} to 'id:key' pairs separated by commas, each key 32 random bytes in base64 (for example from 'openssl rand -base64 32').`;
  if (entries.length === 0) throw new EncryptionKeyError(`${source} holds no key.`, hint);
  const keys = entries.map((entry) => {
    const separator = entry.indexOf(':');
    const id = separator > 0 ? entry.slice(0, separator) : '';
    if (!keyIdPattern.test(id)) throw new EncryptionKeyError(`${source} has an entry without a valid key id (letters, digits, '.', '_' or '-' before a ':').`, hint);
    const key = Buffer.from(entry.slice(separator + 1), 'base64');
    if (key.length !== keyBytes) throw new EncryptionKeyError(`${source}: key '${id}' is ${key.length} bytes, not ${keyBytes}.`, hint);
    return { id, key };
  });
  const ids = new Set(keys.map((key) => key.id));
  if (ids.size !== keys.length) throw new EncryptionKeyError(`${source} names a key id twice.`, hint);
  return keys;
}

/** Encryption as the environment configures it for a cluster, or undefined when `CAIRN_ENCRYPTION_KEYS` is unset. */
export function encryptionFromEnvironment(env: NodeJS.ProcessEnv = process.env): EncryptionSettings | undefined {
  const text = env.CAIRN_ENCRYPTION_KEYS;
  if (text === undefined || text.trim() === '') return undefined;
  // Turning encryption on must not strand the runs already open, so plain payloads stay readable until asked otherwise.
  return { keys: parseEncryptionKeys(text, 'CAIRN_ENCRYPTION_KEYS'), acceptPlaintext: env.CAIRN_ENCRYPTION_REQUIRED !== 'true' && env.CAIRN_ENCRYPTION_REQUIRED !== '1' };
}

const keyFile = z.object({
  keys: z.array(z.object({ id: z.string(), key: z.string() })).min(1),
  acceptPlaintext: z.boolean(),
});

export function localEncryptionKeysPath(home: string): string {
  return join(home, 'encryption-keys');
}

/**
 * The embedded stack's keys, created on first use. A home whose server already
 * holds runs from before encryption keeps reading plain payloads until
 * {@link requireEncryption} is called once those runs have closed.
 */
export function localEncryption(home: string, options: { hadRunsBefore: boolean }): EncryptionSettings {
  const path = localEncryptionKeysPath(home);
  if (!existsSync(path)) {
    writeKeyFile(path, { keys: [{ id: `local-${randomBytes(4).toString('hex')}`, key: randomBytes(keyBytes).toString('base64') }], acceptPlaintext: options.hadRunsBefore }, { replace: false });
  }
  return readLocalEncryption(path);
}

/** The embedded stack's keys when they exist. */
export function existingLocalEncryption(home: string): EncryptionSettings | undefined {
  const path = localEncryptionKeysPath(home);
  return existsSync(path) ? readLocalEncryption(path) : undefined;
}

/** Stops reading plain payloads: call once no run from before encryption is open. */
export function requireEncryption(home: string): void {
  const path = localEncryptionKeysPath(home);
  const parsed = keyFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  if (parsed.acceptPlaintext) writeKeyFile(path, { ...parsed, acceptPlaintext: false }, { replace: true });
}

function readLocalEncryption(path: string): EncryptionSettings {
  let parsed: z.infer<typeof keyFile>;
  try {
    parsed = keyFile.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new EncryptionKeyError(`${path} is not a valid key file (${(error as Error).message.split('\n')[0]}).`, `Restore it from a backup: without it, the embedded server's runs cannot be read.`);
  }
  return {
    keys: parseEncryptionKeys(parsed.keys.map((entry) => `${entry.id}:${entry.key}`).join(','), path),
    acceptPlaintext: parsed.acceptPlaintext,
  };
}

/** Writes the whole file or nothing. Without `replace`, a file another process created first wins: two processes never end up with different keys. */
function writeKeyFile(path: string, content: z.infer<typeof keyFile>, options: { replace: boolean }): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: privateFileMode });
  if (options.replace) return renameSync(temporary, path);
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    unlinkSync(temporary);
  }
}
