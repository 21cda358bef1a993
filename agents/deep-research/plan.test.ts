import { describe, expect, it } from 'vitest';
import { parsePlan } from './plan.ts';

describe('parsePlan', () => {
  it('reads JSON, even inside a code fence, and caps the count', () => {
    const text = 'Here is the plan:\n```json\n{"subQuestions": ["a?", " b? ", "", "c?"], "done": true}\n```';
    expect(parsePlan(text, 2)).toEqual({ subQuestions: ['a?', 'b?'], done: true });
  });

  it('falls back to a bulleted or numbered list', () => {
    expect(parsePlan('- first?\n2) second?\nnot a question', 5)).toEqual({ subQuestions: ['first?', 'second?'], done: false });
  });

  it('reads an empty plan as nothing more to research', () => {
    expect(parsePlan('{"subQuestions": [], "done": true}', 3)).toEqual({ subQuestions: [], done: true });
    expect(parsePlan('All covered.', 3)).toEqual({ subQuestions: [], done: false });
  });
});
