// Activity-side (node:fs): never import this file from workflow code.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cairnHome } from '@cairn/core/config';

/** A document a research run has read: what its citations are checked against. */
export interface Source {
  /** What the report cites: the URL the researcher asked for, or `corpus:<docId>`. */
  id: string;
  title: string;
  /** The URL the text came from (after redirects), for web sources. */
  url?: string;
  /** The full text that was read, not only the excerpts shown to the model. */
  text: string;
  /** ISO 8601. */
  fetchedAt: string;
}

/**
 * The research run a run belongs to. Sub-agent runs have ids `${root}.<suffix>`
 * and a root id has no dots, so the root is everything before the first dot.
 */
export function rootRunId(runId: string): string {
  const root = runId.split('.')[0] ?? '';
  if (root === '') throw new TypeError(`Cannot tell the research run of run id ${JSON.stringify(runId)}: it is empty or starts with a dot.`);
  return root;
}

/**
 * The sources of research runs on disk: `<directory>/<rootRunId>/<sha256(source id)>.json`.
 * A researcher records what it reads under its own run id; everything lands
 * under the research run's root, so the writer and the citation check (on any
 * worker sharing the directory) see every source the run fetched.
 *
 * Writes are atomic (temporary file, then rename): a reader never sees half a
 * source. Recording a source id again replaces it (last read wins).
 */
export class SourceStore {
  readonly directory: string;

  constructor(directory: string = join(cairnHome(), 'sources')) {
    this.directory = directory;
  }

  async record(runId: string, source: Source): Promise<void> {
    assertSource(source);
    const folder = this.#folder(runId);
    await mkdir(folder, { recursive: true });
    const file = join(folder, fileName(source.id));
    const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
    const stored: Source = { id: source.id, title: source.title, ...(source.url === undefined ? {} : { url: source.url }), text: source.text, fetchedAt: source.fetchedAt };
    try {
      await writeFile(temporary, JSON.stringify(stored), 'utf8');
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true }).catch(() => undefined);
      throw error;
    }
  }

  /** Every source recorded under the run's root, oldest first (then by id). */
  async list(runId: string): Promise<Source[]> {
    const folder = this.#folder(runId);
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const sources: Source[] = [];
    for (const name of names) {
      if (!/^[0-9a-f]{64}\.json$/.test(name)) continue;
      const source = await readSource(join(folder, name));
      if (source) sources.push(source);
    }
    return sources.sort((a, b) => (a.fetchedAt < b.fetchedAt ? -1 : a.fetchedAt > b.fetchedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async get(runId: string, id: string): Promise<Source | undefined> {
    return readSource(join(this.#folder(runId), fileName(id)));
  }

  /** The folder of a run's root. A root that is not a plain name (`/`, `..`, odd characters) is hashed instead. */
  #folder(runId: string): string {
    const root = rootRunId(runId);
    const plain = /^[A-Za-z0-9_-][A-Za-z0-9_@+=,-]{0,127}$/.test(root);
    return join(this.directory, plain ? root : `run-${sha256(root).slice(0, 40)}`);
  }
}

function fileName(id: string): string {
  return `${sha256(id)}.json`;
}

function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

async function readSource(file: string): Promise<Source | undefined> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const parsed = JSON.parse(raw) as Source;
  assertSource(parsed);
  return parsed;
}

function assertSource(source: Source): void {
  if (typeof source !== 'object' || source === null) throw new TypeError('A source must be an object { id, title, text, fetchedAt, url? }.');
  if (typeof source.id !== 'string' || source.id.trim() === '') throw new TypeError('A source needs a non-empty string id (a URL or corpus:<docId>).');
  if (typeof source.title !== 'string') throw new TypeError(`Source '${source.id}' needs a string title.`);
  if (typeof source.text !== 'string') throw new TypeError(`Source '${source.id}' needs its text as a string.`);
  if (typeof source.fetchedAt !== 'string') throw new TypeError(`Source '${source.id}' needs fetchedAt as an ISO 8601 string.`);
  if (source.url !== undefined && typeof source.url !== 'string') throw new TypeError(`Source '${source.id}': url must be a string when given.`);
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
