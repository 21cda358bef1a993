import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBlobStore } from '../blob-stores/file-blob-store.ts';
import { ensurePrivateDirectory } from './private-files.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const scratch = () => mkdtempSync(join(tmpdir(), 'cairn-private-'));

/** Reads `path` as the unprivileged 'nobody' user, as another user of the machine would. */
function readAsAnotherUser(path: string): { ran: boolean; ok: boolean; reason?: string } {
  if (process.getuid?.() !== 0) return { ran: false, ok: false, reason: 'not root: cannot switch to another uid' };
  const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'cat', path], { encoding: 'utf8' });
  if (result.error) return { ran: false, ok: false, reason: `setpriv is not available (${result.error.message})` };
  return { ran: true, ok: result.status === 0 };
}

describe('a private CAIRN_HOME', () => {
  it('is created 0700, and the blobs in it are 0600 in 0700 folders', async () => {
    const home = join(scratch(), 'home');
    ensurePrivateDirectory(home);
    expect(modeOf(home)).toBe(0o700);
    const blobs = new FileBlobStore(join(home, 'blobs'));
    const key = await blobs.put('a private conversation');
    const folder = join(home, 'blobs', key.slice(0, 2));
    expect([modeOf(join(home, 'blobs')), modeOf(folder), modeOf(join(folder, key.slice(2)))]).toEqual([0o700, 0o700, 0o600]);

    const seen = readAsAnotherUser(join(folder, key.slice(2)));
    if (!seen.ran) console.log(`skipped the other-user check: ${seen.reason}`);
    else expect(seen.ok, 'another user read a blob').toBe(false);
  });

  it('tightens a home made before it was private, with everything in it', () => {
    const home = scratch();
    chmodSync(home, 0o755);
    mkdirSync(join(home, 'blobs', 'ab'), { recursive: true, mode: 0o755 });
    writeFileSync(join(home, 'worker.log'), 'log', { mode: 0o644 });
    writeFileSync(join(home, 'blobs', 'ab', 'cd'), 'blob', { mode: 0o664 });
    ensurePrivateDirectory(home);
    expect([modeOf(home), modeOf(join(home, 'blobs')), modeOf(join(home, 'blobs', 'ab'))]).toEqual([0o700, 0o700, 0o700]);
    expect([modeOf(join(home, 'worker.log')), modeOf(join(home, 'blobs', 'ab', 'cd'))]).toEqual([0o600, 0o600]);
  });

  it('refuses a blob whose content no longer matches its key', async () => {
    const directory = scratch();
    const blobs = new FileBlobStore(directory);
    const key = await blobs.put('the real result');
    const folder = join(directory, key.slice(0, 2));
    writeFileSync(join(folder, readdirSync(folder)[0]!), 'a forged result');
    // Read as another worker would: the writer itself answers from what it wrote.
    await expect(new FileBlobStore(directory).get(key)).rejects.toThrow(`Blob ${key} in the folder ${directory} is damaged: its content does not match its key.`);
  });
});
