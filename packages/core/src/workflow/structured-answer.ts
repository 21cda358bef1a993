/**
 * What a final reply means for an agent with an output schema, as a pure
 * function: a reply that matches ends the run with its value; one that breaks
 * the schema goes back to the model with what is wrong, a bounded number of
 * times; after that the run fails, saying why.
 */
import type { CheckedOutput } from '../activity-contract.ts';
import type { OutputSpec } from '../agent/spec.ts';

/** What the model is told when its final reply broke the schema. Here, not beside the zod check: workflow code must not bundle zod. */
function repairRequest(problem: string): string {
  return `${problem}\nGive your final answer again, corrected, in the required format.`;
}

export type StructuredAnswer =
  | { kind: 'value'; output: string; value?: unknown; valueRef?: string }
  | { kind: 'repair'; request: string }
  | { kind: 'invalid'; message: string };

export function structuredAnswer(
  check: CheckedOutput | undefined,
  context: { agent: string; output: OutputSpec; repairsSoFar: number; turnsLeft: boolean },
): StructuredAnswer {
  if (check?.valid) {
    return 'valueRef' in check ? { kind: 'value', output: check.preview, valueRef: check.valueRef } : { kind: 'value', output: JSON.stringify(check.value) ?? 'null', value: check.value };
  }
  // A reply too large for history is never checked whole in the workflow: the activity always checks it.
  const problem = check?.problem ?? 'The reply was not checked against the output schema.';
  if (context.repairsSoFar < context.output.repairs && context.turnsLeft) return { kind: 'repair', request: repairRequest(problem) };
  const tries = context.repairsSoFar + 1;
  return {
    kind: 'invalid',
    message: `Agent '${context.agent}' gave no final answer that matches its output schema in ${tries} ${tries === 1 ? 'try' : 'tries'}. The last: ${problem}`,
  };
}
