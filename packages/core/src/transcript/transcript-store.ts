import type { Message } from '../messages.ts';
import type { BlobStore } from './blob-store.ts';

/**
 * A conversation as an append-only chain of blobs: each entry stores its message
 * and the key of the entry before it, like commits. A run's workflow holds only
 * `{ head, length }`, so a model activity's input stays the same size however
 * long the conversation grows, and every turn adds to history only what is new.
 *
 * Persisted in workflow history: change only by adding optional fields.
 */
export interface TranscriptRef {
  /** Key of the newest entry; null for an empty transcript. */
  head: string | null;
  length: number;
}

/** One message as an entry stores it: its content inline, or by the key of the blob that holds it. */
interface StoredEntryMessage {
  message: Message;
  /** The message's content is this blob (and `suffix`), stored once by whoever made it, such as a tool activity. */
  contentRef?: string;
  suffix?: string;
}

/**
 * An entry holds the messages one append added: a turn's tool results and the model's reply
 * are one blob, not one each. `message` (with its `contentRef` and `suffix`) is the newest;
 * `before` holds the ones added with it, oldest first. Entries written before `before`
 * existed hold one message each.
 */
interface TranscriptEntry extends StoredEntryMessage {
  parent: string | null;
  before?: StoredEntryMessage[];
}

/** A message whose content is already in the blob store: its entry refers to that blob instead of holding the content again. */
export interface StoredContentMessage {
  message: Message;
  contentRef: string;
  /** Text after the stored content (a parent's note on how a sub-agent ended). */
  suffix?: string;
}

export const emptyTranscript: TranscriptRef = { head: null, length: 0 };

export class TranscriptStore {
  /** Conversations already read, by head: a worker that served the last turn reads only the new entries. */
  private readonly cache = new Map<string, readonly Message[]>();

  constructor(
    private readonly blobs: BlobStore,
    /** Conversations kept: a few per run a worker holds (each append keeps its new head; the one before stays until pushed out). */
    private readonly cacheSize = 2048,
  ) {}

  /** Adds the messages as one entry (one blob write however many there are). */
  async append(ref: TranscriptRef, additions: readonly (Message | StoredContentMessage)[]): Promise<TranscriptRef> {
    if (additions.length === 0) return ref;
    const before = ref.head === null ? [] : await this.read(ref);
    const stored = additions.map((addition): StoredEntryMessage =>
      'contentRef' in addition
        ? { message: { ...addition.message, content: '' }, contentRef: addition.contentRef, ...(addition.suffix ? { suffix: addition.suffix } : {}) }
        : { message: addition },
    );
    const newest = stored.at(-1)!;
    const entry: TranscriptEntry = { parent: ref.head, ...newest, ...(stored.length > 1 ? { before: stored.slice(0, -1) } : {}) };
    const head = await this.blobs.put(JSON.stringify(entry));
    this.remember(head, [...before, ...additions.map((addition) => ('contentRef' in addition ? addition.message : addition))]);
    return { head, length: ref.length + additions.length };
  }

  async read(ref: TranscriptRef): Promise<readonly Message[]> {
    /** Entries not in the cache, newest first. */
    const entries: TranscriptEntry[] = [];
    let key = ref.head;
    let known: readonly Message[] = [];
    while (key !== null) {
      const cached = this.cache.get(key);
      if (cached) {
        known = cached;
        break;
      }
      const entry = JSON.parse(await this.blobs.get(key)) as TranscriptEntry;
      entries.push(entry);
      key = entry.parent;
    }
    const newest: Message[] = [];
    for (const entry of entries.reverse()) {
      for (const stored of [...(entry.before ?? []), entry]) newest.push(await this.materialised(stored));
    }
    const messages = newest.length === 0 ? known : [...known, ...newest];
    if (messages.length !== ref.length) {
      throw new Error(`Transcript ${ref.head} holds ${messages.length} messages where ${ref.length} were expected.`);
    }
    if (ref.head !== null) this.remember(ref.head, messages);
    return messages;
  }

  private async materialised({ message, contentRef, suffix }: StoredEntryMessage): Promise<Message> {
    return contentRef ? ({ ...message, content: (await this.blobs.get(contentRef)) + (suffix ?? '') } as Message) : message;
  }

  private remember(head: string, messages: readonly Message[]): void {
    this.cache.delete(head);
    this.cache.set(head, messages);
    if (this.cache.size > this.cacheSize) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }
}
