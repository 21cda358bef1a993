// Pure: plain functions over strings. Safe anywhere, workflow code included.
import type { Source } from './source-store.ts';

/**
 * What the writer is told about citations. `checkCitations` reads exactly this
 * format (and forgives small variations: `[1, 3]`, Markdown links or `<url>` in
 * the Sources lines, a `## References` heading).
 */
export const citationInstructions = [
  'Cite sources with numbers in square brackets right after the claim they support: [1], or [1][3] for several.',
  'When you quote a source, quote it word for word in double quotes, followed by its citation: "exact words from the source" [2].',
  'Quote only from the excerpts that read_source returned; otherwise paraphrase without quotation marks.',
  'End the report with a section listing every number you cite, one per line:',
  '',
  '## Sources',
  '[1] Title — <source id>',
  '[2] Title — <source id>',
  '',
  'where <source id> is exactly what read_source printed after "Source:" (a URL or corpus:<docId>). List only sources you read.',
].join('\n');

export interface CitationFailure {
  /** The citation number, as in `[3]`. */
  citation: number;
  /** What is wrong and what to do, in a sentence a writer model can act on. */
  reason: string;
  /** The quoted words that could not be verified, when a quote is at fault. */
  quote?: string;
  /** The source id the Sources section gave for this number, when it gave one. */
  sourceId?: string;
}

export interface CitationCheck {
  /**
   * The report without what failed: unverifiable citation markers removed,
   * sentences with misquotes removed, Sources entries that were not read
   * removed, ending with the line `Citations verified: <verified> of <total>.`
   */
  report: string;
  /** Citation markers (`[n]` occurrences) in the body. */
  total: number;
  /** Markers whose source is listed and was read, and whose quotes are in it. */
  verified: number;
  failures: CitationFailure[];
}

export function verifiedLine(verified: number, total: number): string {
  return `Citations verified: ${verified} of ${total}.`;
}

/**
 * Checks a report's citations against the sources the research run read:
 * - every `[n]` in the body must be listed under `## Sources` with the id of a
 *   source in `fetched`; otherwise the marker is removed (and a Sources entry
 *   whose id was not read is removed);
 * - every quotation of three words or more followed (in its sentence) by a
 *   citation must occur in the text of a cited source, compared after
 *   normalising case, whitespace, quote marks and dashes (`...` or `[…]` in a
 *   quote stands for omitted words); otherwise the sentence holding it is removed;
 * - the report ends with the line `Citations verified: <verified> of <total>.`,
 *   replacing any such line already there.
 * Checking a cleaned report again finds nothing to remove.
 * Code (fenced blocks and inline code) is never read as citations or quotes.
 */
export function checkCitations(report: string, fetched: ReadonlyMap<string, Source>): CitationCheck {
  let text = report.replace(/\r\n?/g, '\n').replace(/^[ \t]*[*_]*Citations verified:[ \t]*\d+[ \t]+of[ \t]+\d+\.?[*_]*[ \t]*(?:\n|$)/gim, '');
  text = expandCitationLists(text);
  const masked = maskCode(text);

  // The last Sources heading (outside code) splits the body from the list.
  let headingStart = -1;
  let headingEnd = -1;
  for (const match of masked.matchAll(/^#{1,6}[ \t]+(?:Sources|References)[ \t]*:?[ \t]*#*[ \t]*$/gim)) {
    headingStart = match.index;
    headingEnd = match.index + match[0].length;
  }
  const body = headingStart >= 0 ? text.slice(0, headingStart) : text;
  const maskedBody = masked.slice(0, body.length);
  const sectionLines = headingStart >= 0 ? text.slice(headingEnd).split('\n') : [];

  const lookup = sourceLookup(fetched);
  const entries = new Map<number, { sourceId?: string; source?: Source }>();
  const droppedLines = new Set<number>();
  sectionLines.forEach((line, index) => {
    const match = /^[ \t]*(?:[-*+][ \t]+)?\[(\d{1,3})\][:.]?[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!match) return;
    const citation = Number(match[1]);
    const resolved = resolveEntry(match[2]!, lookup);
    if (!resolved.source) droppedLines.add(index);
    if (!entries.has(citation) || (resolved.source && !entries.get(citation)!.source)) entries.set(citation, resolved);
  });

  // Markers, grouped when adjacent ([1][3]).
  const groups: MarkerGroup[] = [];
  for (const match of maskedBody.matchAll(/\[(\d{1,3})\](?!\()/g)) {
    const marker: Marker = { citation: Number(match[1]), start: match.index, end: match.index + match[0].length, ok: false };
    const entry = entries.get(marker.citation);
    if (!entry) {
      marker.failure = { citation: marker.citation, reason: 'Cited but not listed under ## Sources. List it with the id of a source you read, or remove the citation.' };
    } else if (!entry.source) {
      marker.failure = {
        citation: marker.citation,
        reason: entry.sourceId
          ? `Listed as '${entry.sourceId}', which was not read in this research. Only sources read with read_source can be cited: use the id it printed after "Source:".`
          : `Listed without a source id under ## Sources. Write it as "[${marker.citation}] Title — <source id>".`,
        ...(entry.sourceId ? { sourceId: entry.sourceId } : {}),
      };
    } else {
      marker.ok = true;
      marker.source = entry.source;
      marker.sourceId = entry.sourceId;
    }
    const last = groups.at(-1);
    if (last && /^[ \t]*$/.test(maskedBody.slice(last.end, marker.start))) {
      last.markers.push(marker);
      last.end = marker.end;
    } else {
      groups.push({ start: marker.start, end: marker.end, markers: [marker] });
    }
  }

  // Quotes of 3+ words and the citation that follows them in their sentence.
  const failures: CitationFailure[] = [];
  const removals: Array<[number, number]> = [];
  for (const match of maskedBody.matchAll(/[“"]((?:[^“”"\n]|\n(?![ \t]*\n))+?)[”"]/g)) {
    const quote = text.slice(match.index + 1, match.index + match[0].length - 1);
    if (countWords(quote) < 3) continue;
    const quoteEnd = match.index + match[0].length;
    const group = groups.find((candidate) => candidate.start >= quoteEnd);
    if (!group || !sameSentence(maskedBody.slice(quoteEnd, group.start))) continue;
    const cited = group.markers.filter((marker) => marker.ok);
    const shown = oneLine(quote);
    if (cited.length === 0) {
      for (const marker of group.markers) {
        if (marker.failure && marker.failure.quote === undefined) marker.failure.quote = shown;
      }
    } else if (!cited.some((marker) => containsQuote(marker.source!.text, quote))) {
      const names = cited.map((marker) => `[${marker.citation}]`).join('');
      const ids = cited.map((marker) => `'${marker.source!.id}'`).join(', ');
      failures.push({
        citation: cited[0]!.citation,
        reason: `The quoted words are not in ${cited.length > 1 ? `any of the cited sources ${names}` : `source ${names}`} (${ids}). Quote the excerpts word for word, or paraphrase without quotation marks.`,
        quote: shown,
        sourceId: cited[0]!.source!.id,
      });
      for (const marker of cited) marker.ok = false;
    } else {
      continue;
    }
    removals.push(sentenceSpan(maskedBody, match.index, group.end, /[.!?]$/.test(quote.trimEnd())));
  }

  const markers = groups.flatMap((group) => group.markers);
  for (const marker of markers) if (marker.failure) failures.push(marker.failure);
  failures.sort((a, b) => a.citation - b.citation);
  const verified = markers.filter((marker) => marker.ok).length;

  // Edits on the body, applied from the end.
  const sentences = mergeSpans(removals);
  const inRemoved = (position: number) => sentences.some(([start, end]) => position >= start && position < end);
  const edits: Edit[] = sentences.map(([start, end]) => sentenceEdit(body, start, end));
  for (const group of groups) {
    if (inRemoved(group.start) || group.markers.every((marker) => marker.failure === undefined)) continue;
    const kept = group.markers.filter((marker) => marker.failure === undefined);
    if (kept.length > 0) {
      edits.push({ start: group.start, end: group.end, insert: kept.map((marker) => `[${marker.citation}]`).join('') });
    } else {
      edits.push(markerEdit(body, group.start, group.end));
    }
  }
  let cleanedBody = body;
  for (const edit of edits.sort((a, b) => b.start - a.start)) cleanedBody = cleanedBody.slice(0, edit.start) + edit.insert + cleanedBody.slice(edit.end);

  let cleaned = cleanedBody;
  if (headingStart >= 0) {
    const section = sectionLines.filter((_, index) => !droppedLines.has(index)).join('\n');
    cleaned = `${cleaned.trimEnd()}\n\n${text.slice(headingStart, headingEnd)}${section}`;
  }
  cleaned = `${cleaned.trimEnd()}\n\n${verifiedLine(verified, markers.length)}`.replace(/^\n+/, '');
  return { report: cleaned, total: markers.length, verified, failures: dedupe(failures) };
}

/** A list a writer model can act on; empty when there is nothing to fix. */
export function formatFailures(failures: readonly CitationFailure[]): string {
  if (failures.length === 0) return '';
  const lines = failures.map((failure) => {
    const quote = failure.quote === undefined ? '' : ` Quote: "${failure.quote.length > 200 ? `${failure.quote.slice(0, 200)}…` : failure.quote}"`;
    return `- [${failure.citation}]: ${failure.reason}${quote}`;
  });
  return [`${failures.length} citation problem${failures.length === 1 ? '' : 's'}:`, ...lines].join('\n');
}

interface Marker {
  citation: number;
  start: number;
  end: number;
  ok: boolean;
  source?: Source;
  sourceId?: string;
  failure?: CitationFailure;
}

interface MarkerGroup {
  start: number;
  end: number;
  markers: Marker[];
}

interface Edit {
  start: number;
  end: number;
  insert: string;
}

/** `[1, 3]` and `[1; 3]` become `[1][3]` (outside code). */
function expandCitationLists(text: string): string {
  const masked = maskCode(text);
  let out = text;
  const matches = [...masked.matchAll(/\[(\d{1,3}(?:[ \t]*[,;][ \t]*\d{1,3})+)\](?!\()/g)].reverse();
  for (const match of matches) {
    const expanded = match[1]!.split(/[,;]/).map((number) => `[${number.trim()}]`).join('');
    out = out.slice(0, match.index) + expanded + out.slice(match.index + match[0].length);
  }
  return out;
}

/** The text with fenced code blocks and inline code blanked out (newlines kept), so positions still match. */
function maskCode(text: string): string {
  const blank = (segment: string) => segment.replace(/[^\n]/g, ' ');
  let out = '';
  let fence: string | undefined;
  for (const line of text.split(/(?<=\n)/)) {
    const opener = /^[ \t]{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence !== undefined) {
      out += blank(line);
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length && line.trim() === opener) fence = undefined;
    } else if (opener !== undefined) {
      fence = opener;
      out += blank(line);
    } else {
      out += line.replace(/(`+)[^`\n]*?\1/g, blank);
    }
  }
  return out;
}

type Lookup = (id: string) => Source | undefined;

function sourceLookup(fetched: ReadonlyMap<string, Source>): Lookup {
  const byKey = new Map<string, Source>();
  for (const [id, source] of fetched) {
    for (const key of [id, source.id, source.url]) {
      if (key === undefined) continue;
      const normal = normaliseId(key);
      if (!byKey.has(normal)) byKey.set(normal, source);
    }
  }
  return (id) => fetched.get(id) ?? byKey.get(normaliseId(id));
}

function normaliseId(id: string): string {
  const trimmed = id.trim();
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      url.hash = '';
      return url.href.replace(/\/+$/, '');
    } catch {
      return trimmed;
    }
  }
  if (/^corpus:/i.test(trimmed)) return `corpus:${trimmed.slice(7).trim().replace(/\\/g, '/').replace(/^\.\//, '')}`;
  return trimmed;
}

/** The source a Sources line names: after its last dash, in a Markdown link or `<…>`, or any URL or corpus id in it. */
function resolveEntry(rest: string, lookup: Lookup): { sourceId?: string; source?: Source } {
  const candidates: string[] = [];
  const separator = [...rest.matchAll(/[ \t](?:—|–|--?)[ \t]/g)].at(-1);
  if (separator) candidates.push(rest.slice(separator.index + separator[0].length));
  for (const match of rest.matchAll(/\]\(([^)\s]+)\)/g)) candidates.push(match[1]!);
  for (const match of rest.matchAll(/<([^>\s]+)>/g)) candidates.push(match[1]!);
  for (const match of rest.matchAll(/\b(?:https?:\/\/|corpus:)[^\s<>)\]]+/gi)) candidates.push(match[0]);
  candidates.push(rest);
  const cleaned = candidates.map((candidate) => candidate.trim().replace(/^[<`(]+|[>`)]+$/g, '').replace(/[.,;]+$/, '').trim()).filter((candidate) => candidate !== '');
  for (const candidate of cleaned) {
    const source = lookup(candidate);
    if (source) return { sourceId: candidate, source };
  }
  const shown = separator ? cleaned[0] : cleaned.find((candidate) => /^(?:https?:\/\/|corpus:)/i.test(candidate));
  return shown ? { sourceId: shown } : {};
}

/** Between a quote and the citation after it: the same sentence (no sentence end, no paragraph break)? */
function sameSentence(between: string): boolean {
  if (between.length > 300 || /\n[ \t]*\n/.test(between)) return false;
  // A sentence end followed by more words; `"…". [1]` (nothing but the citation after it) is still one sentence.
  const rest = between.replace(/[“"][^“”"]*[”"]/g, 'Q');
  return !/[.!?]['"’”)\]*_]*\s+\S/.test(rest);
}

const abbreviations = new Set(['e.g', 'i.e', 'etc', 'vs', 'al', 'cf', 'dr', 'mr', 'mrs', 'ms', 'prof', 'st', 'fig', 'no', 'vol', 'approx', 'inc', 'ltd', 'jr', 'sr']);

/** Sentence ends in `text` between `from` and `to`: positions just after the terminator and its spaces. */
function sentenceStarts(text: string, from: number, to: number): number[] {
  const starts: number[] = [];
  const pattern = /[.!?]['"’”)\]]*[ \t\n]+(?=[\p{Lu}\p{N}“"'‘(\[*_])/gu;
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match && match.index < to; match = pattern.exec(text)) {
    const word = /([\p{L}.]+)$/u.exec(text.slice(Math.max(0, match.index - 12), match.index))?.[1]?.toLowerCase();
    if (text[match.index] === '.' && word && (abbreviations.has(word) || /^\p{L}$/u.test(word))) continue;
    starts.push(match.index + match[0].length);
  }
  return starts;
}

/** Where a line begins that starts its own block: a list item, heading, quote block or table row. */
const blockStart = /^[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#{1,6}[ \t]|>|\|)/;

/** The span of the sentence holding a quote (from `quoteStart`) and its citation (to `citationEnd`). */
function sentenceSpan(text: string, quoteStart: number, citationEnd: number, quoteEndsSentence: boolean): [number, number] {
  // Start: after the last sentence end before the quote, within its paragraph or block.
  let paragraphStart = 0;
  for (const match of text.slice(0, quoteStart).matchAll(/\n[ \t]*\n/g)) paragraphStart = match.index + match[0].length;
  let start = paragraphStart;
  for (let newline = text.indexOf('\n', paragraphStart); newline !== -1 && newline < quoteStart; newline = text.indexOf('\n', newline + 1)) {
    if (blockStart.test(text.slice(newline + 1, newline + 12))) start = newline + 1;
  }
  start = sentenceStarts(text, start, quoteStart).filter((position) => position <= quoteStart).at(-1) ?? start;
  const lineStart = text.lastIndexOf('\n', quoteStart - 1) + 1;
  if (start === lineStart) start += /^[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+|>[ \t]*)?/.exec(text.slice(lineStart))![0].length;

  // End: the punctuation right after the citation, or the quote's own, or the next sentence end.
  const after = /^[ \t]*[.!?]+['"’”)\]]*/.exec(text.slice(citationEnd));
  if (after) return [start, citationEnd + after[0].length];
  if (quoteEndsSentence) return [start, citationEnd];
  const nextBreak = text.slice(citationEnd).search(/\n[ \t]*\n|\n(?=[ \t]*(?:[-*+][ \t]|\d+[.)][ \t]|#{1,6}[ \t]|>|\|))/);
  const limit = nextBreak === -1 ? text.length : citationEnd + nextBreak;
  const next = /[.!?]['"’”)\]]*(?=\s|$)/g;
  next.lastIndex = citationEnd;
  const found = next.exec(text);
  return [start, found && found.index < limit ? found.index + found[0].length : limit];
}

/** Removes a sentence with its spaces; a line left empty goes too. */
function sentenceEdit(text: string, start: number, end: number): Edit {
  while (end < text.length && (text[end] === ' ' || text[end] === '\t')) end++;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const atLineEnd = end === text.length || text[end] === '\n';
  if (atLineEnd) {
    const before = text.slice(lineStart, start);
    if (/^[ \t]*(?:[-*+][ \t]+|\d+[.)][ \t]+|>[ \t]*)?$/.test(before)) {
      // The whole line goes; so does a blank line after it when one is left before it (no double gaps).
      end = Math.min(text.length, end + 1);
      const blankAfter = /^[ \t]*(?:\n|$)/.exec(text.slice(end));
      if (blankAfter && (lineStart === 0 || /\n[ \t]*\n$/.test(text.slice(0, lineStart)))) end += blankAfter[0].length;
      return { start: lineStart, end, insert: '' };
    }
    while (start > lineStart && (text[start - 1] === ' ' || text[start - 1] === '\t')) start--;
  }
  return { start, end, insert: '' };
}

/** Removes a citation group and the space before it ("claim [4]." becomes "claim."). */
function markerEdit(text: string, start: number, end: number): Edit {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let from = start;
  while (from > lineStart && (text[from - 1] === ' ' || text[from - 1] === '\t')) from--;
  if (from === lineStart) {
    let to = end;
    while (to < text.length && (text[to] === ' ' || text[to] === '\t')) to++;
    return { start, end: to, insert: '' };
  }
  return { start: from, end, insert: '' };
}

function mergeSpans(spans: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...spans].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const span of sorted) {
    const last = merged.at(-1);
    if (last && span[0] <= last[1]) last[1] = Math.max(last[1], span[1]);
    else merged.push([...span]);
  }
  return merged;
}

function countWords(quote: string): number {
  return quote.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;
}

function oneLine(quote: string): string {
  return quote.replace(/\s+/g, ' ').trim();
}

/** Lower case; one kind of quote mark and dash; no emphasis marks or invisible characters; single spaces. */
export function normaliseForQuote(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u00AD\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/[‘’‚‛′´`"“”„‟″«»‹›]/g, "'")
    .replace(/[‐‑‒–—―−]/g, '-')
    .replace(/[*]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/ ?-+ ?/g, '-')
    .trim();
}

/**
 * Whether `quote` occurs in `text` after normalisation. An ellipsis (`...`,
 * `…`) or a bracketed insertion (`[…]`, `[the company]`) in the quote stands
 * for words left out or changed: the pieces around it must occur in order.
 */
export function containsQuote(text: string, quote: string): boolean {
  const haystack = normaliseForQuote(text);
  const pieces = quote
    .split(/\.{3,}|…|\[[^\]]*\]/)
    .map((piece) => normaliseForQuote(piece).replace(/^[\s.,;:!?'-]+|[\s.,;:!?'-]+$/g, ''))
    .filter((piece) => piece !== '');
  if (pieces.length === 0) return false;
  let from = 0;
  for (const piece of pieces) {
    const at = haystack.indexOf(piece, from);
    if (at === -1) return false;
    from = at + piece.length;
  }
  return true;
}

function dedupe(failures: CitationFailure[]): CitationFailure[] {
  const seen = new Set<string>();
  return failures.filter((failure) => {
    const key = `${failure.citation}\u0000${failure.reason}\u0000${failure.quote ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
