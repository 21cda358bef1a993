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

interface TranscriptEntry {
  parent: string | null;
  message: Message;
  /** The message's content is this blob (and `suffix`), stored once by whoever made it, such as a tool activity. */
  contentRef?: string;
  suffix?: string;
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

  async append(ref: TranscriptRef, additions: readonly (Message | StoredContentMessage)[]): Promise<TranscriptRef> {
    let { head, length } = ref;
    const before = head === null ? [] : await this.read(ref);
    const messages: Message[] = [];
    for (const addition of additions) {
      const entry: TranscriptEntry =
        'contentRef' in addition
          ? { parent: head, message: { ...addition.message, content: '' }, contentRef: addition.contentRef, ...(addition.suffix ? { suffix: addition.suffix } : {}) }
          : { parent: head, message: addition };
      head = await this.blobs.put(JSON.stringify(entry));
      length += 1;
      messages.push('contentRef' in addition ? addition.message : addition);
    }
    if (head !== null && messages.length > 0) this.remember(head, [...before, ...messages]);
    return { head, length };
  }

  async read(ref: TranscriptRef): Promise<readonly Message[]> {
    const newest: Message[] = [];
    let key = ref.head;
    let known: readonly Message[] = [];
    while (key !== null) {
      const cached = this.cache.get(key);
      if (cached) {
        known = cached;
        break;
      }
      const entry = JSON.parse(await this.blobs.get(key)) as TranscriptEntry;
      newest.push(entry.contentRef ? ({ ...entry.message, content: (await this.blobs.get(entry.contentRef)) + (entry.suffix ?? '') } as Message) : entry.message);
      key = entry.parent;
    }
    const messages = newest.length === 0 ? known : [...known, ...newest.reverse()];
    if (messages.length !== ref.length) {
      throw new Error(`Transcript ${ref.head} has ${messages.length} entries where ${ref.length} were expected.`);
    }
    if (ref.head !== null) this.remember(ref.head, messages);
    return messages;
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
