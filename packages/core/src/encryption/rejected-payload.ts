/**
 * What a refused payload (see encryption-codec.ts) becomes: an object no
 * schema of Cairn's accepts. Workflow code can import this module: it is plain data.
 */
export const rejectedPayloadField = 'cairnRejectedPayload';

/** The refusal, when `value` stands for a payload the codec would not decrypt. */
export function payloadRefusal(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !(rejectedPayloadField in value)) return undefined;
  const reason = (value as Record<string, unknown>)[rejectedPayloadField];
  return typeof reason === 'string' ? reason : 'A payload was refused.';
}
