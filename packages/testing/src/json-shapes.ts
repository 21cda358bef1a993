/**
 * Lenient readers for request bodies. The server records whatever a client sends, so
 * these never throw: a missing or odd field reads as empty and the raw body stays in
 * the log for anything the neutral view leaves out.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The text of a content field in either format: a string, or an array of parts where
 * text parts are `{ type: 'text', text }`. Other parts (images, documents, refusals)
 * show as `[type]`, so an assertion can see that something was there.
 */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return arrayOf(content)
    .filter(isRecord)
    .map((part) => (part.type === 'text' ? stringOf(part.text) : `[${stringOf(part.type) || 'unknown'}]`))
    .join('\n');
}
