import { mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { blobKey } from '../transcript/blob-store.ts';
import type { EncryptionSettings } from '../encryption/encryption-keys.ts';
import { FileBlobStore } from './file-blob-store.ts';

const key = (id: string) => ({ id, key: randomBytes(32) });
const folder = () => mkdtempSync(join(tmpdir(), 'cairn-sealed-'));
const fileOf = (directory: string, name: string) => join(directory, name.slice(0, 2), name.slice(2));

describe('blobs encrypted at rest', () => {
  const first = key('k1');
  const settings: EncryptionSettings = { keys: [first], acceptPlaintext: false };

  it('reads back what it wrote, under a name that is the same for the same content and reveals nothing of it', async () => {
    const directory = folder();
    const store = new FileBlobStore(directory).encrypted(settings);
    const content = 'The vault code is 4471.';
    const name = await store.put(content);
    expect(await store.put(content)).toBe(name);
    expect(await store.get(name)).toBe(content);
    // Not the bare hash, which would let anyone who can list the store confirm a guess.
    expect(name).not.toBe(blobKey(content));
    expect(readFileSync(fileOf(directory, name)).includes('4471')).toBe(false);
  });

  it('refuses a blob changed at rest, and a blob moved under another name', async () => {
    const directory = folder();
    const store = new FileBlobStore(directory).encrypted(settings);
    const one = await store.put('first');
    const two = await store.put('second');
    const file = fileOf(directory, one);
    const bytes = readFileSync(file);
    bytes[bytes.length - 20]! ^= 1;
    writeFileSync(file, bytes);
    // Read as another worker would: the writer itself answers from what it wrote.
    const reader = new FileBlobStore(directory).encrypted(settings);
    expect(await store.get(one)).toBe('first');
    await expect(reader.get(one)).rejects.toThrow(`Blob ${one} in the folder ${directory} is damaged`);
    renameSync(fileOf(directory, two), file);
    await expect(reader.get(one)).rejects.toThrow('is damaged');
    // Cut short to its header: damaged, not read past its end.
    writeFileSync(file, Buffer.from('CAIRNBLOB1'));
    await expect(reader.get(one)).rejects.toThrow('is damaged');
  });

  it('reads blobs of a retired key while a new key writes, and names a key it does not hold', async () => {
    const directory = folder();
    const before = await new FileBlobStore(directory).encrypted(settings).put('written under k1');
    const second = key('k2');
    const rotated = new FileBlobStore(directory).encrypted({ keys: [second, first], acceptPlaintext: false });
    expect(await rotated.get(before)).toBe('written under k1');
    const after = await rotated.put('written under k2');
    expect(readFileSync(fileOf(directory, after)).subarray(10, 13).toString()).toBe('\u0002k2');
    await expect(new FileBlobStore(directory).encrypted({ keys: [second], acceptPlaintext: false }).get(before)).rejects.toThrow(`is encrypted with key 'k1', which this process does not hold`);
  });

  it('reads blobs from before encryption only while plain content is accepted', async () => {
    const directory = folder();
    const plain = await new FileBlobStore(directory).put('written before encryption');
    expect(await new FileBlobStore(directory).encrypted({ ...settings, acceptPlaintext: true }).get(plain)).toBe('written before encryption');
    await expect(new FileBlobStore(directory).encrypted(settings).get(plain)).rejects.toThrow('is not encrypted, and plain blobs are refused');
    expect(readdirSync(directory)).toHaveLength(1);
  });
});
