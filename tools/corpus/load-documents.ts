import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { CorpusError } from '../errors.ts';
import { extractReadableOffThread } from '../extract/extract-off-thread.ts';

export type DocumentFormat = 'markdown' | 'text' | 'html';

export interface CorpusDocument {
  /** The file's path relative to the corpus folder, with `/` separators, e.g. `notes/sleep.md`. */
  docId: string;
  title: string;
  /** The text searched and read: Markdown and text files as they are (line ends normalised), HTML as readable text. */
  text: string;
  format: DocumentFormat;
}

export interface SkippedFile {
  docId: string;
  reason: string;
}

export interface LoadOptions {
  /** Larger files are skipped (and listed in `skipped`). Default 10 MB. */
  maxFileBytes?: number;
}

const formats: Record<string, DocumentFormat> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.text': 'text',
  '.html': 'html',
  '.htm': 'html',
};

/** The file extensions a corpus reads. */
export const corpusExtensions = Object.keys(formats);

/**
 * Reads every `.md`, `.txt` and `.html` file under `dir`, recursively. Hidden
 * files and folders and `node_modules` are skipped; symbolic links to files
 * inside the folder are followed, to folders not (no cycles). A link that
 * leads out of the folder is skipped: the corpus serves what its folder holds,
 * not ~/.ssh because a file links there.
 */
export async function loadDocuments(dir: string, options: LoadOptions = {}): Promise<{ root: string; documents: CorpusDocument[]; skipped: SkippedFile[] }> {
  const { maxFileBytes = 10_000_000 } = options;
  const root = await corpusRoot(dir);
  const files: string[] = [];
  const skipped: SkippedFile[] = [];
  await walk(root, root, files, skipped);
  files.sort();

  const documents: CorpusDocument[] = [];
  const batch = 16;
  for (let i = 0; i < files.length; i += batch) {
    const loaded = await Promise.all(files.slice(i, i + batch).map((file) => loadFile(root, file, maxFileBytes)));
    for (const result of loaded) {
      if ('reason' in result) skipped.push(result);
      else documents.push(result);
    }
  }
  if (documents.length === 0) {
    throw new CorpusError(`No readable documents in the corpus folder ${root}: it has no ${corpusExtensions.join(', ')} files with text.`, {
      code: 'empty',
      hint: skipped.length > 0 ? `Skipped: ${skipped.map((file) => `${file.docId} (${file.reason})`).join(', ')}.` : undefined,
    });
  }
  return { root, documents, skipped };
}

async function corpusRoot(dir: string): Promise<string> {
  let info;
  let root: string;
  try {
    root = await realpath(dir);
    info = await stat(root);
  } catch (error) {
    throw new CorpusError(`The corpus folder ${dir} does not exist.`, { code: 'not_found', cause: error, hint: 'Pass the folder of your documents: --corpus <dir>.' });
  }
  if (!info.isDirectory()) {
    throw new CorpusError(`The corpus path ${dir} is a file, not a folder.`, { code: 'not_found', hint: 'Pass the folder that holds the documents.' });
  }
  return root;
}

async function walk(root: string, folder: string, files: string[], skipped: SkippedFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      await walk(root, path, files, skipped);
    } else if (formats[extname(entry.name).toLowerCase()]) {
      if (entry.isFile()) files.push(path);
      else if (entry.isSymbolicLink() && (await stat(path).catch(() => undefined))?.isFile()) {
        const target = await realpath(path);
        if (target.startsWith(`${root}${sep}`)) files.push(path);
        else skipped.push({ docId: relative(root, path).split(sep).join('/'), reason: 'a link to a file outside the corpus folder' });
      }
    }
  }
}

async function loadFile(root: string, path: string, maxFileBytes: number): Promise<CorpusDocument | SkippedFile> {
  const docId = relative(root, path).split(sep).join('/');
  const format = formats[extname(path).toLowerCase()]!;
  const size = (await stat(path)).size;
  if (size > maxFileBytes) return { docId, reason: `larger than ${maxFileBytes} bytes` };
  const raw = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const fileTitle = basename(path, extname(path));
  let text = raw;
  let title: string | undefined;
  if (format === 'html') {
    let page;
    try {
      page = await extractReadableOffThread(raw);
    } catch (error) {
      return { docId, reason: (error as Error).message };
    }
    text = page.text;
    title = page.title;
  } else if (format === 'markdown') {
    title = markdownTitle(raw);
  }
  if (text.trim() === '') return { docId, reason: 'no text' };
  return { docId, title: title || fileTitle, text, format };
}

/** The `title:` of a front matter, or the first heading. */
export function markdownTitle(markdown: string): string | undefined {
  const front = /^---\n([\s\S]*?)\n---\n/.exec(markdown)?.[1];
  const fromFront = front && /^title:\s*["']?(.+?)["']?\s*$/m.exec(front)?.[1];
  if (fromFront) return fromFront.trim();
  return /^#{1,6}[ \t]+(.+?)[ \t#]*$/m.exec(markdown)?.[1]?.trim();
}
