/**
 * Checking a final reply against an agent's output schema. Providers deliver
 * structured output as JSON text (a response format, or a forced tool's
 * arguments); a compatible server that ignores the request may still wrap it in
 * a Markdown fence, which is forgiven. What is wrong is said in words the model
 * can act on, because it goes back to the model to be fixed.
 */
import { z } from 'zod';

export type OutputCheck = { valid: true; value: unknown } | { valid: false; problem: string };

const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/;

export function checkOutput(text: string, schema: z.ZodType | undefined): OutputCheck {
  const trimmed = text.trim();
  if (trimmed === '') return { valid: false, problem: 'The reply was empty; it must be a JSON object.' };
  let json: unknown;
  try {
    json = JSON.parse(fenced.exec(trimmed)?.[1] ?? trimmed);
  } catch (error) {
    return { valid: false, problem: `The reply is not valid JSON (${(error as Error).message}); it must be one JSON object and nothing else.` };
  }
  if (!schema) return { valid: true, value: json };
  const parsed = schema.safeParse(json);
  return parsed.success ? { valid: true, value: parsed.data } : { valid: false, problem: `The reply does not match the output schema:\n${z.prettifyError(parsed.error)}` };
}
