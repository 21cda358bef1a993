/**
 * A dataset's cases: what the agent is given, what is expected of it, and what
 * to know about the case. Read from JSONL (one case a line) or written in
 * TypeScript; every line is checked, and a bad one is named by its line.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CairnError } from '@cairn/core';

export interface EvalCase<Input = unknown, Expected = unknown> {
  /** Unique in its dataset: it names the case's run, so a suite run again finds it. */
  id: string;
  /** The run's input: text, or an object for an agent with an input schema. */
  input: Input;
  /** What scorers compare with (an answer, a list of facts, a value). */
  expected?: Expected;
  tags?: string[];
  difficulty?: 'easy' | 'medium' | 'hard';
  metadata?: Record<string, unknown>;
}

const caseIdPattern = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,63}$/;

const caseSchema = z.object({
  id: z.string().regex(caseIdPattern, 'use 1-64 letters, digits, _ or -'),
  input: z.unknown().refine((input) => input !== undefined && input !== '', 'the input is missing'),
  expected: z.unknown().optional(),
  tags: z.array(z.string()).optional(),
  difficulty: z.enum(['easy', 'medium', 'hard']).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** Checks cases written in code: the same rules as a JSONL file's. */
export function checkCases<C extends EvalCase>(cases: readonly C[], source = 'the dataset'): C[] {
  if (cases.length === 0) throw new CairnError(`${source} has no cases.`, { hint: 'Give each case an id and an input.' });
  const seen = new Set<string>();
  return cases.map((candidate, index) => {
    const parsed = caseSchema.safeParse(candidate);
    if (!parsed.success) {
      throw new CairnError(`Case ${index + 1} of ${source} is invalid: ${z.prettifyError(parsed.error).replace(/\n/g, ' ')}`, { hint: 'Each case is { "id": "…", "input": … } with optional expected, tags, difficulty and metadata.' });
    }
    if (seen.has(candidate.id)) throw new CairnError(`${source} has two cases with the id '${candidate.id}'.`, { hint: 'Case ids name their runs: make each unique.' });
    seen.add(candidate.id);
    return candidate;
  });
}

/** Reads a JSONL dataset: one case a line, blank lines skipped. */
export async function loadJsonlCases(path: string): Promise<EvalCase[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CairnError(`Cannot read the dataset ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}.`, { hint: 'Check the path.' });
  });
  const cases: EvalCase[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      cases.push(JSON.parse(line) as EvalCase);
    } catch (error) {
      throw new CairnError(`Line ${index + 1} of ${path} is not JSON: ${(error as Error).message}.`, { hint: 'Write one case per line as a JSON object.' });
    }
  }
  return checkCases(cases, path);
}
