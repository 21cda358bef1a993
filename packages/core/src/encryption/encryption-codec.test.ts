import { randomBytes } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec } from './encryption-codec.ts';
import { localEncryption, parseEncryptionKeys, requireEncryption, type EncryptionSettings } from './encryption-keys.ts';
import { payloadRefusal } from './rejected-payload.ts';

const keyText = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const settings = (text: string, acceptPlaintext = false): EncryptionSettings => ({ keys: parseEncryptionKeys(text, 'test keys'), acceptPlaintext });
const toPayload = (value: unknown) => defaultPayloadConverter.toPayload(value)!;
const fromPayload = (payload: Parameters<typeof defaultPayloadConverter.fromPayload>[0]) => defaultPayloadConverter.fromPayload(payload);

describe('EncryptionCodec', () => {
  it('seals the whole payload and opens it again', async () => {
    const codec = new EncryptionCodec(settings(keyText('k1')));
    const [sealed] = await codec.encode([toPayload({ prompt: 'the secret plan' })]);
    expect(Buffer.from(sealed!.data!).toString('latin1')).not.toContain('secret');
    expect(Buffer.from(sealed!.metadata!.encoding!).toString()).toBe('binary/encrypted');
    const [opened] = await codec.decode([sealed!]);
    expect(fromPayload(opened!)).toEqual({ prompt: 'the secret plan' });
  });

  it('reads payloads sealed with an older key after rotation', async () => {
    const old = keyText('old');
    const [sealed] = await new EncryptionCodec(settings(old)).encode([toPayload('before rotation')]);
    const rotated = new EncryptionCodec(settings(`${keyText('new')},${old}`));
    expect(fromPayload((await rotated.decode([sealed!]))[0]!)).toBe('before rotation');
    const [fresh] = await rotated.encode([toPayload('after')]);
    expect(Buffer.from(fresh!.metadata!['encryption-key-id']!).toString()).toBe('new');
  });

  it('refuses plain and forged payloads as values no schema accepts, so a forged signal cannot stall a run', async () => {
    const strict = new EncryptionCodec(settings(keyText('k1')));
    const [plain] = await strict.decode([toPayload({ callId: 'c1', approved: true })]);
    expect(payloadRefusal(fromPayload(plain!))).toMatch(/not encrypted with this stack's key/);

    const [sealed] = await strict.encode([toPayload({ approved: false })]);
    const tampered = Buffer.from(sealed!.data!);
    tampered[20] = tampered[20]! ^ 1;
    const [forged] = await strict.decode([{ ...sealed!, data: tampered }]);
    expect(payloadRefusal(fromPayload(forged!))).toMatch(/does not authenticate/);

    const otherStack = new EncryptionCodec(settings(keyText('k1')));
    expect(payloadRefusal(fromPayload((await otherStack.decode([sealed!]))[0]!))).toMatch(/does not authenticate/);
  });

  it('passes plain payloads through while plaintext is still accepted (runs from before encryption)', async () => {
    const permissive = new EncryptionCodec(settings(keyText('k1'), true));
    expect(fromPayload((await permissive.decode([toPayload('older run')]))[0]!)).toBe('older run');
  });

  it('stops at a key it does not hold, naming the key and the fix', async () => {
    const [sealed] = await new EncryptionCodec(settings(keyText('gone'))).encode([toPayload('x')]);
    await expect(new EncryptionCodec(settings(keyText('k1'))).decode([sealed!])).rejects.toThrow(/key 'gone', which this process does not hold/);
  });
});

describe('encryption keys', () => {
  it('explains malformed key settings in one line', () => {
    expect(() => parseEncryptionKeys('', 'CAIRN_ENCRYPTION_KEYS')).toThrow('CAIRN_ENCRYPTION_KEYS holds no key.');
    expect(() => parseEncryptionKeys('nokey', 'CAIRN_ENCRYPTION_KEYS')).toThrow(/without a valid key id/);
    expect(() => parseEncryptionKeys(`k1:${randomBytes(16).toString('base64')}`, 'CAIRN_ENCRYPTION_KEYS')).toThrow("CAIRN_ENCRYPTION_KEYS: key 'k1' is 16 bytes, not 32.");
    expect(() => parseEncryptionKeys(`${keyText('a')},${keyText('a')}`, 'CAIRN_ENCRYPTION_KEYS')).toThrow(/names a key id twice/);
  });

  it('creates the local key once, private to its owner, and every caller gets the same one', () => {
    const home = mkdtempSync(join(tmpdir(), 'cairn-keys-'));
    const first = localEncryption(home, { hadRunsBefore: false });
    const second = localEncryption(home, { hadRunsBefore: true });
    expect(second.keys[0]!.key.equals(first.keys[0]!.key)).toBe(true);
    expect(first.acceptPlaintext).toBe(false);
    expect(statSync(join(home, 'encryption-keys')).mode & 0o777).toBe(0o600);
  });

  it('keeps reading plain payloads in a home that had runs before encryption, until told to stop', () => {
    const home = mkdtempSync(join(tmpdir(), 'cairn-keys-'));
    expect(localEncryption(home, { hadRunsBefore: true }).acceptPlaintext).toBe(true);
    requireEncryption(home);
    expect(localEncryption(home, { hadRunsBefore: true }).acceptPlaintext).toBe(false);
  });
});
