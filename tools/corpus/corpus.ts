import MiniSearch, { type SearchOptions } from 'minisearch';
import { CorpusError } from '../errors.ts';
import { type CorpusDocument, type LoadOptions, type SkippedFile, loadDocuments } from './load-documents.ts';
import { splitPassages } from './passages.ts';

export interface CorpusOptions extends LoadOptions {
  /** About how long a passage is, in characters. Default 1,500. */
  passageChars?: number;
}

export interface CorpusHit {
  docId: string;
  title: string;
  /** Exactly `corpus.read(docId).slice(start, end)`. */
  passage: string;
  /** BM25+ relevance; only comparable within one search. */
  score: number;
  start: number;
  end: number;
}

export interface CorpusDocumentInfo {
  docId: string;
  title: string;
  chars: number;
  passages: number;
}

interface IndexedPassage {
  id: number;
  title: string;
  text: string;
}

interface PassageRecord {
  docId: string;
  start: number;
  end: number;
}

/**
 * Relevance: BM25+ over the title and text of each passage (title counts
 * double), with prefix matching for terms of 4+ characters and one typo
 * allowed in terms of 6+ characters. Terms are OR-ed: more matching terms rank higher.
 */
const searchOptions: SearchOptions = {
  boost: { title: 2 },
  prefix: (term) => term.length >= 4,
  fuzzy: (term) => (term.length >= 6 ? 0.2 : false),
  combineWith: 'OR',
};

/**
 * A local collection of documents searched by passage: how research runs
 * offline over private documents. The text `search` returns and the text
 * `read` returns are the same characters, so a quoted passage can be checked
 * against `read(docId)`.
 */
export class Corpus {
  /** The folder it was loaded from, when it was. */
  readonly root?: string;
  /** Files under the folder that were not loaded, and why. */
  readonly skipped: readonly SkippedFile[];
  readonly #documents = new Map<string, CorpusDocument>();
  readonly #passages: PassageRecord[] = [];
  readonly #index: MiniSearch<IndexedPassage>;

  private constructor(documents: CorpusDocument[], options: { root?: string; skipped?: SkippedFile[]; passageChars?: number }) {
    this.root = options.root;
    this.skipped = options.skipped ?? [];
    this.#index = new MiniSearch<IndexedPassage>({ fields: ['title', 'text'], storeFields: [], searchOptions });
    const indexed: IndexedPassage[] = [];
    for (const document of documents) {
      if (this.#documents.has(document.docId)) throw new CorpusError(`Two documents have the id '${document.docId}'.`, { code: 'duplicate_document' });
      this.#documents.set(document.docId, document);
      for (const { start, end } of splitPassages(document.text, options.passageChars ?? 1500)) {
        const id = this.#passages.length;
        this.#passages.push({ docId: document.docId, start, end });
        indexed.push({ id, title: document.title, text: document.text.slice(start, end) });
      }
    }
    this.#index.addAll(indexed);
  }

  /** Reads and indexes every `.md`, `.txt` and `.html` file under `dir` (see `loadDocuments`). */
  static async load(dir: string, options: CorpusOptions = {}): Promise<Corpus> {
    const { root, documents, skipped } = await loadDocuments(dir, options);
    return new Corpus(documents, { root, skipped, passageChars: options.passageChars });
  }

  /** A corpus from documents already in memory. */
  static fromDocuments(documents: Array<{ docId: string; text: string; title?: string }>, options: Pick<CorpusOptions, 'passageChars'> = {}): Corpus {
    return new Corpus(
      documents.map((document) => ({ docId: document.docId, text: document.text, title: document.title ?? document.docId, format: 'text' as const })),
      options,
    );
  }

  get documents(): CorpusDocumentInfo[] {
    const counts = new Map<string, number>();
    for (const passage of this.#passages) counts.set(passage.docId, (counts.get(passage.docId) ?? 0) + 1);
    return [...this.#documents.values()].map((document) => ({
      docId: document.docId,
      title: document.title,
      chars: document.text.length,
      passages: counts.get(document.docId) ?? 0,
    }));
  }

  /** The passages that best match `query`, best first. */
  search(query: string, options: { limit?: number } = {}): CorpusHit[] {
    const limit = Math.max(1, Math.floor(options.limit ?? 8));
    return this.#index
      .search(query)
      .slice(0, limit)
      .map((result) => {
        const { docId, start, end } = this.#passages[result.id as number]!;
        const document = this.#documents.get(docId)!;
        return { docId, title: document.title, passage: document.text.slice(start, end), score: result.score, start, end };
      });
  }

  has(docId: string): boolean {
    return this.#documents.has(docId);
  }

  title(docId: string): string {
    return this.#document(docId).title;
  }

  /** The full text of a document, the text its passages are cut from. */
  read(docId: string): string {
    return this.#document(docId).text;
  }

  #document(docId: string): CorpusDocument {
    const document = this.#documents.get(normaliseDocId(docId));
    if (document) return document;
    const name = docId.split('/').pop()?.toLowerCase();
    const similar = [...this.#documents.keys()].filter((id) => id.split('/').pop()?.toLowerCase() === name).slice(0, 3);
    const suggestion = similar.length > 0 ? ` Did you mean ${similar.map((id) => `'${id}'`).join(' or ')}?` : '';
    throw new CorpusError(`There is no document '${docId}' in the corpus.${suggestion} Use a docId exactly as corpus_search returns it.`, {
      code: 'unknown_document',
    });
  }
}

/** `./notes/a.md` and `notes\\a.md` name `notes/a.md`. */
export function normaliseDocId(docId: string): string {
  return docId.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}
