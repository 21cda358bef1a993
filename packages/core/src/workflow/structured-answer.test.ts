import { describe, expect, it } from 'vitest';
import type { OutputSpec } from '../agent/spec.ts';
import { structuredAnswer } from './structured-answer.ts';

const output: OutputSpec = { name: 'final_answer', description: 'The findings.', schema: { type: 'object' }, repairs: 2 };
const context = { agent: 'researcher', output, repairsSoFar: 0, turnsLeft: true };

describe('structuredAnswer', () => {
  it('ends the run with the value, as canonical JSON', () => {
    expect(structuredAnswer({ valid: true, value: { confidence: 0.5 } }, context)).toEqual({ kind: 'value', output: '{"confidence":0.5}', value: { confidence: 0.5 } });
  });

  it('hands over a value too large for history by its key', () => {
    expect(structuredAnswer({ valid: true, valueRef: 'blob-1', preview: '{"findings":[' }, context)).toEqual({ kind: 'value', output: '{"findings":[', valueRef: 'blob-1' });
  });

  it('sends a broken reply back with what is wrong while repairs and turns remain', () => {
    const answer = structuredAnswer({ valid: false, problem: 'confidence: expected number' }, context);
    expect(answer).toEqual({ kind: 'repair', request: expect.stringContaining('confidence: expected number') });
  });

  it('fails once the repairs are used up, or no turn is left for one', () => {
    const broken = { valid: false as const, problem: 'confidence: expected number' };
    expect(structuredAnswer(broken, { ...context, repairsSoFar: 2 })).toEqual({
      kind: 'invalid',
      message: "Agent 'researcher' gave no final answer that matches its output schema in 3 tries. The last: confidence: expected number",
    });
    expect(structuredAnswer(broken, { ...context, turnsLeft: false })).toMatchObject({ kind: 'invalid', message: expect.stringContaining('in 1 try.') });
  });
});
