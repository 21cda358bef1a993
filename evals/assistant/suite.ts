// `cairn eval evals/assistant/suite.ts`: the example assistant. It must ask its clock for the time
// in the zone a question names, answer arithmetic without it, and name what was asked about.
import { fileURLToPath } from 'node:url';
import { assistant } from '@cairn/agents';
import { defineScorer, defineSuite, includes, loadJsonlCases } from '@cairn/evals';

const cases = await loadJsonlCases(fileURLToPath(new URL('./cases.jsonl', import.meta.url)));

/** A question about a place's time is answered from `current_time` in that place's zone; others without it. */
const usesTheClockRightly = defineScorer('clock', ({ case: { metadata }, record }) => {
  const calls = record.turns.flatMap((turn) => turn.toolCalls).filter((call) => call.name === 'current_time');
  const zone = metadata?.timeZone;
  if (typeof zone !== 'string') return { score: calls.length === 0 ? 1 : 0, note: 'asked the clock for arithmetic' };
  const rightZone = calls.some((call) => (JSON.parse(call.arguments) as { timeZone?: string }).timeZone === zone);
  return { score: rightZone ? 1 : 0, note: `no current_time call for ${zone}` };
});

export const assistantAgent = assistant('openai:gpt-4.1-mini');

export default defineSuite({
  name: 'assistant',
  agent: assistantAgent,
  cases,
  scorers: [includes(), usesTheClockRightly],
  budget: { tokens: 60_000 },
});
