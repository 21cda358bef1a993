/** How a response body is turned into text. */
export type ContentKind = 'html' | 'text' | 'markdown';

export interface ContentType {
  /** Lower-case, without parameters, e.g. `text/html`; empty when the header is missing. */
  mediaType: string;
  charset?: string;
}

export function parseContentType(header: string | null | undefined): ContentType {
  if (!header) return { mediaType: '' };
  const [type = '', ...parameters] = header.split(';');
  const result: ContentType = { mediaType: type.trim().toLowerCase() };
  for (const parameter of parameters) {
    const [name, value] = parameter.split('=');
    if (name?.trim().toLowerCase() === 'charset' && value) result.charset = value.trim().replace(/^["']|["']$/g, '').toLowerCase();
  }
  return result;
}

const markdownTypes = new Set(['text/markdown', 'text/x-markdown']);
const textTypes = new Set(['application/json', 'application/ld+json', 'application/x-ndjson']);

/**
 * What to do with a media type: `html`, `text` or `markdown`, or undefined when
 * it is not text (PDF, images, archives...). Other `text/*` types (CSV, XML,
 * source code) and JSON are read as plain text.
 */
export function contentKind(mediaType: string): ContentKind | undefined {
  if (mediaType === 'text/html' || mediaType === 'application/xhtml+xml') return 'html';
  if (markdownTypes.has(mediaType)) return 'markdown';
  if (mediaType.startsWith('text/') || textTypes.has(mediaType)) return 'text';
  return undefined;
}

/** For a response without a content type: HTML by its first tag, text if it has no binary bytes. */
export function sniffContentKind(bytes: Uint8Array): ContentKind | undefined {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 1024)).trimStart().toLowerCase();
  if (/^(<!doctype html|<html|<head|<body|<!--)/.test(head)) return 'html';
  const sample = bytes.subarray(0, 4096);
  for (const byte of sample) if (byte === 0) return undefined;
  return 'text';
}

/** The charset an HTML page declares in a `<meta>` within its first bytes. */
export function sniffHtmlCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return match?.[1]?.toLowerCase();
}

/** Decodes with the given charset; an unknown label falls back to UTF-8. */
export function decodeText(bytes: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** What a person would call a media type in an error message. */
export function describeMediaType(mediaType: string): string {
  if (mediaType === 'application/pdf') return 'a PDF document';
  if (mediaType.startsWith('image/')) return `an image (${mediaType})`;
  if (mediaType.startsWith('video/') || mediaType.startsWith('audio/')) return `media (${mediaType})`;
  if (mediaType === '') return 'binary content without a content type';
  return `content of type ${mediaType}`;
}
