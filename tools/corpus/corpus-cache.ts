import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Corpus } from './corpus.ts';

/**
 * Corpora by folder, loaded once and kept while the folder stays as it was: a
 * file added, removed or edited since (seen in the names, sizes and times of
 * its entries) loads it again, and a failed load is not kept, so a fixed folder
 * is seen on the next call.
 */
export class CorpusCache {
  private readonly loaded = new Map<string, { signature: string; corpus: Promise<Corpus> }>();

  async get(folder: string): Promise<Corpus> {
    const signature = await folderSignature(folder);
    const cached = this.loaded.get(folder);
    if (cached && cached.signature === signature) return cached.corpus;
    const corpus = Corpus.load(folder);
    this.loaded.set(folder, { signature, corpus });
    corpus.catch(() => {
      if (this.loaded.get(folder)?.corpus === corpus) this.loaded.delete(folder);
    });
    return corpus;
  }
}

/** Names, sizes and modification times of everything under `folder` (hidden entries and node_modules aside, as the loader skips them). */
async function folderSignature(folder: string): Promise<string> {
  const parts: string[] = [];
  const visit = async (path: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(path, { withFileTypes: true });
    } catch {
      parts.push(`${path}:unreadable`);
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const child = join(path, entry.name);
      if (entry.isDirectory()) await visit(child);
      else {
        const info = await stat(child).catch(() => undefined);
        parts.push(`${child}:${info?.size ?? -1}:${info?.mtimeMs ?? -1}`);
      }
    }
  };
  await visit(folder);
  return parts.sort().join('\n');
}
