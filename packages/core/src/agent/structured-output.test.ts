import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkOutput } from './structured-output.ts';

const findings = z.object({ findings: z.array(z.string()), confidence: z.number().min(0).max(1) });

describe('checkOutput', () => {
  it('parses a reply that matches the schema, with its transforms applied', () => {
    const trimmed = z.object({ name: z.string().transform((name) => name.trim()) });
    expect(checkOutput('{"name": "  tides "}', trimmed)).toEqual({ valid: true, value: { name: 'tides' } });
  });

  it('forgives a Markdown fence around the JSON', () => {
    expect(checkOutput('```json\n{"findings": ["a"], "confidence": 0.5}\n```', findings)).toEqual({ valid: true, value: { findings: ['a'], confidence: 0.5 } });
  });

  it('names each field that breaks the schema', () => {
    const check = checkOutput('{"findings": "one", "confidence": 2}', findings);
    expect(check.valid).toBe(false);
    if (check.valid) return;
    expect(check.problem).toContain('does not match the output schema');
    expect(check.problem).toMatch(/findings/);
    expect(check.problem).toMatch(/confidence/);
  });

  it('says when the reply is not JSON at all, or empty', () => {
    expect(checkOutput('The tides are caused by the moon.', findings)).toMatchObject({ valid: false, problem: expect.stringContaining('not valid JSON') });
    expect(checkOutput('  ', findings)).toMatchObject({ valid: false, problem: expect.stringContaining('empty') });
  });
});
