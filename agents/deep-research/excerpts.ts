import { Corpus, type PassageSpan, splitPassages } from '@cairn/tools';

export interface ExcerptOptions {
  /** Characters returned at most, separators included. Default 3,000. */
  maxChars?: number;
  /** About how long a passage is (cut on paragraph boundaries). Default 600. */
  passageChars?: number;
}

/** Between two passages that are not next to each other in the text. */
export const excerptSeparator = '\n…\n';

/**
 * The passages of `text` most relevant to `focus`, as they are in `text`: how a
 * fetched page is cut down before it enters a researcher's context while every
 * quote the researcher takes from it stays checkable against the full text.
 *
 * - A text of at most `maxChars` comes back whole.
 * - Otherwise the text is split into passages of about `passageChars` on
 *   paragraph boundaries, ranked by BM25+ against `focus` (prefix matching for
 *   terms of 4+ characters, one typo in terms of 6+), and the best ones that fit
 *   in `maxChars` are kept.
 * - They come back in document order; passages next to each other are joined by
 *   the text between them, others by `excerptSeparator` ("\n…\n"). Every piece
 *   between separators is an exact substring of `text`.
 * - When nothing matches the focus (or it is blank), the opening passages are returned.
 */
export function excerpt(text: string, focus: string, options: ExcerptOptions = {}): string {
  const { maxChars = 3000, passageChars = 600 } = options;
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars must be a positive integer, got ${maxChars}.`);
  if (!Number.isInteger(passageChars) || passageChars < 50) throw new RangeError(`passageChars must be an integer of at least 50, got ${passageChars}.`);
  if (text.length <= maxChars) return text;

  const size = Math.max(50, Math.min(passageChars, maxChars));
  const passages = splitPassages(text, size);
  if (passages.length === 0) return text.slice(0, maxChars);

  const chosen: PassageSpan[] = [];
  let used = 0;
  const tryAdd = (passage: PassageSpan): void => {
    const candidate = [...chosen, passage].sort((a, b) => a.start - b.start);
    const length = render(text, candidate).length;
    if (length > maxChars) return;
    chosen.splice(0, chosen.length, ...candidate);
    used = length;
  };

  const ranked = rank(text, focus, size, passages.length);
  for (const passage of ranked) {
    if (maxChars - used < excerptSeparator.length + 50) break; // full: no passage fits any more
    tryAdd(passage);
  }
  if (chosen.length === 0) {
    // Nothing matched: the opening of the text says what it is about.
    for (const passage of passages) {
      const before: number = chosen.length;
      tryAdd(passage);
      if (chosen.length === before) break;
    }
  }
  // Only when maxChars is below the smallest passage size: the best passage, cut.
  if (chosen.length === 0) return cutAtWord(text, ranked[0] ?? passages[0]!, maxChars);
  return render(text, chosen);
}

/**
 * The passages matching `focus`, best first: the corpus's own BM25+ index over
 * this one text, so passages and ranking are those of `corpus_search`.
 */
function rank(text: string, focus: string, passageChars: number, count: number): PassageSpan[] {
  if (focus.trim() === '') return [];
  const single = Corpus.fromDocuments([{ docId: 'text', title: '', text }], { passageChars });
  return single.search(focus, { limit: count }).map(({ start, end }) => ({ start, end }));
}

/** Spans in document order as one string: adjacent spans keep the text between them, others get the separator. */
function render(text: string, spans: PassageSpan[]): string {
  let out = '';
  let previous: PassageSpan | undefined;
  for (const span of spans) {
    if (previous === undefined) out = text.slice(span.start, span.end);
    else if (text.slice(previous.end, span.start).trim() === '') out += text.slice(previous.end, span.end);
    else out += excerptSeparator + text.slice(span.start, span.end);
    previous = span;
  }
  return out;
}

function cutAtWord(text: string, span: PassageSpan, maxChars: number): string {
  const piece = text.slice(span.start, Math.min(span.end, span.start + maxChars));
  const space = piece.search(/\s\S*$/);
  return space > maxChars / 2 ? piece.slice(0, space) : piece;
}
