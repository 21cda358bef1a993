/**
 * CAIRN_HOME holds conversations, tool results, the embedded server's database
 * and logs: private to its owner, like ~/.ssh. Directories are 0700 and files
 * 0600 when Cairn creates them, and a home made before that is tightened once.
 */
import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const privateDirectoryMode = 0o700;
export const privateFileMode = 0o600;

/** Creates `path` (and its parents) private; an existing one open to others is tightened with everything in it. */
export function ensurePrivateDirectory(path: string): void {
  mkdirSync(path, { recursive: true, mode: privateDirectoryMode });
  if ((lstatSync(path).mode & 0o077) !== 0) tightenTree(path);
}

/** Takes group and other permissions off `path` and everything below it; symlinks are left as they are. */
export function tightenTree(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== privateDirectoryMode) chmodSync(path, privateDirectoryMode);
    for (const entry of readdirSync(path)) tightenTree(join(path, entry));
  } else if ((stat.mode & 0o077) !== 0) {
    chmodSync(path, stat.mode & 0o700);
  }
}
