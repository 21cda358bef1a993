/** A passage as a span of its document's text: the passage is `text.slice(start, end)`. */
export interface PassageSpan {
  start: number;
  end: number;
}

/**
 * Splits a document into passages of about `targetChars`, on paragraph
 * boundaries (blank lines). A paragraph longer than that is cut at line ends,
 * then sentence ends, then spaces. Passages are spans of the original text, so
 * a passage is always an exact substring of the document (quotes can be
 * checked against it); they never overlap and cover every non-blank character.
 */
export function splitPassages(text: string, targetChars = 1500): PassageSpan[] {
  if (!Number.isInteger(targetChars) || targetChars < 50) throw new RangeError(`targetChars must be an integer of at least 50, got ${targetChars}.`);
  const pieces = paragraphs(text).flatMap((paragraph) => cut(text, paragraph, targetChars));
  const passages: PassageSpan[] = [];
  let current: PassageSpan | undefined;
  for (const piece of pieces) {
    const startsSection = /^#{1,6}\s/.test(text.slice(piece.start, piece.start + 7));
    const fits = current !== undefined && piece.end - current.start <= targetChars;
    // A Markdown heading starts a new passage once the current one has some substance.
    if (current && fits && !(startsSection && current.end - current.start >= targetChars / 2)) {
      current.end = piece.end;
    } else {
      if (current) passages.push(current);
      current = { ...piece };
    }
  }
  if (current) passages.push(current);
  return passages;
}

/** Spans of the non-blank paragraphs, without their surrounding whitespace. */
function paragraphs(text: string): PassageSpan[] {
  const spans: PassageSpan[] = [];
  const separator = /\n[ \t\r]*\n/g;
  let start = 0;
  for (;;) {
    const match = separator.exec(text);
    const end = match ? match.index : text.length;
    const span = trimSpan(text, start, end);
    if (span) spans.push(span);
    if (!match) break;
    start = match.index + match[0].length;
    separator.lastIndex = start;
  }
  return spans;
}

function trimSpan(text: string, start: number, end: number): PassageSpan | undefined {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end > start ? { start, end } : undefined;
}

/** Cuts a paragraph longer than `max` into pieces of at most `max` characters. */
function cut(text: string, paragraph: PassageSpan, max: number): PassageSpan[] {
  const pieces: PassageSpan[] = [];
  let start = paragraph.start;
  while (paragraph.end - start > max) {
    const window = text.slice(start, start + max);
    const end = start + breakPoint(window, max);
    const piece = trimSpan(text, start, end);
    if (piece) pieces.push(piece);
    start = end;
    while (start < paragraph.end && /\s/.test(text[start]!)) start++;
  }
  const last = trimSpan(text, start, paragraph.end);
  if (last) pieces.push(last);
  return pieces;
}

/** Where to cut a window of `max` characters: the last line end, sentence end or space in its second half. */
function breakPoint(window: string, max: number): number {
  const floor = Math.floor(max / 2);
  const line = window.lastIndexOf('\n');
  if (line >= floor) return line + 1;
  let sentence = -1;
  for (const match of window.matchAll(/[.!?。！？][)"'’”\]]*\s/g)) sentence = match.index + match[0].length;
  if (sentence >= floor) return sentence;
  const space = window.search(/\s\S*$/);
  if (space >= floor) return space + 1;
  return max;
}
