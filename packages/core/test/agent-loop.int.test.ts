import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, toolResults, type MockRequest, type ScriptedReply, startTestStack, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool, type ModelId } from '../src/index.ts';

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers.',
  input: z.object({ a: z.number(), b: z.number() }),
  execute: ({ a, b }) => ({ sum: a + b }),
});

const capital = defineTool({
  name: 'capital_of',
  description: 'The capital city of a country.',
  input: z.object({ country: z.string() }),
  execute: ({ country }) => ({ France: 'Paris', Japan: 'Tokyo' })[country] ?? `unknown country ${country}`,
});

/** Records the idempotency key of every call, as a payment API that deduplicates on it would. */
const chargeKeys: string[] = [];
const charge = defineTool({
  name: 'charge',
  description: 'Charges a card.',
  input: z.object({ cents: z.number().int() }),
  execute: ({ cents }, context) => {
    chargeKeys.push(context.idempotencyKey);
    return `charged ${cents}`;
  },
});
const chargingAgent = defineAgent({ name: 'charger', model: 'openai:gpt-test', instructions: 'Charge as asked.', tools: [charge] });

const twoToolAgent = (name: string, model: ModelId) =>
  defineAgent({ name, model, instructions: 'Answer with the help of your tools.', tools: [add, capital] });

/** First turn: call both tools; second turn: answer from their results. */
function twoToolScript(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  if (results.length === 0) {
    return {
      toolCalls: [
        { name: 'add', arguments: { a: 2, b: 3 } },
        { name: 'capital_of', arguments: { country: 'France' } },
      ],
      usage: { inputTokens: 100, outputTokens: 20 },
    };
  }
  return { text: `The sum is ${results[0]!.content} and the capital is ${results[1]!.content}.`, usage: { inputTokens: 150, outputTokens: 30, cachedInputTokens: 80 } };
}

describe('the agent loop on a real Temporal server', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({
      agents: [twoToolAgent('calc-openai', 'openai:gpt-test'), twoToolAgent('calc-anthropic', 'anthropic:claude-test'), malformedAgent, chargingAgent],
      mock,
    });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it.each([
    ['calc-openai', 'openai'],
    ['calc-anthropic', 'anthropic'],
  ] as const)('completes a two-tool run through the %s agent (%s wire format)', async (agent, format) => {
    mock.reset();
    mock.handle(twoToolScript);
    const { runId } = await stack.client.start(agent, 'What is 2+3, and the capital of France?');
    const result = await stack.client.result(runId);

    expect(result.status).toBe('completed');
    expect(result.output).toBe('The sum is {"sum":5} and the capital is Paris.');
    expect(result.turns).toBe(2);
    expect(result.usage).toEqual({ inputTokens: 250, outputTokens: 50, cachedInputTokens: 80 });

    expect(mock.requests.map((request) => request.format)).toEqual([format, format]);
    const [first, second] = mock.requests;
    expect(first!.system).toBe('Answer with the help of your tools.');
    expect(first!.toolNames.sort()).toEqual(['add', 'capital_of']);
    expect(first!.messages).toEqual([{ role: 'user', content: 'What is 2+3, and the capital of France?' }]);
    expect(toolResults(second!).map((result) => result.content)).toEqual(['{"sum":5}', 'Paris']);

    const status = await stack.client.status(runId);
    expect(status).toMatchObject({ state: 'completed', turn: 2, output: result.output });
  });

  it('sends malformed tool arguments back to the model as a validation error, and the run completes', async () => {
    mock.reset();
    mock.script(
      { toolCalls: [{ name: 'add', arguments: '{"a": 2, "b": ' }] },
      { toolCalls: [{ name: 'add', arguments: { a: 'two', b: 3 } }] },
      { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] },
      { text: 'It is 5.' },
    );
    const { runId } = await stack.client.start('calc-malformed', 'What is 2+3?');
    const result = await stack.client.result(runId);

    expect(result).toMatchObject({ status: 'completed', output: 'It is 5.', turns: 4 });
    // The OpenAI wire format has no error flag on tool results: the model reads the message.
    const [badJson, badSchema, good] = toolResults(mock.requests[3]!).map((result) => result.content);
    expect(badJson).toMatch(/^Invalid arguments for 'add': not valid JSON/);
    expect(badSchema).toMatch(/^Invalid arguments for 'add':\n.*expected number.*\n.*→ at a/);
    expect(good).toBe('{"sum":5}');
  });

  it('continues a final answer cut off at the output cap, and says so when it stays cut off', async () => {
    mock.reset();
    mock.script({ text: 'Paris is the capital', stopReason: 'max_tokens' }, { text: ' of France.' });
    const continued = await stack.client.result((await stack.client.start('calc-openai', 'Capital of France?')).runId);
    expect(continued).toMatchObject({ status: 'completed', output: 'Paris is the capital of France.', turns: 2 });
    expect(mock.requests[1]!.messages.at(-1)).toEqual({ role: 'user', content: expect.stringMatching(/^Your answer was cut off/) });

    mock.reset();
    mock.script(...['One, ', 'two, ', 'three, '].map((text) => ({ text, stopReason: 'max_tokens' as const })));
    const { runId } = await stack.client.start('calc-openai', 'Count forever.');
    const cut = await stack.client.result(runId);
    // Two continuations by default; the third cut-off ends the run as truncated, never as completed.
    expect(cut).toMatchObject({ status: 'truncated', output: 'One, two, three, ', turns: 3 });
    expect((await stack.client.status(runId)).state).toBe('truncated');
  });

  it('gives every call its own idempotency key when the model repeats or omits its ids', async () => {
    mock.reset();
    chargeKeys.length = 0;
    mock.script(
      // The same id twice in one reply, again on the next turn, then none at all.
      { toolCalls: [{ id: 'call_1', name: 'charge', arguments: { cents: 1 } }, { id: 'call_1', name: 'charge', arguments: { cents: 2 } }] },
      { toolCalls: [{ id: 'call_1', name: 'charge', arguments: { cents: 3 } }] },
      { toolCalls: [{ id: null, name: 'charge', arguments: { cents: 4 } }, { id: null, name: 'charge', arguments: { cents: 5 } }] },
      { text: 'Charged five times.' },
    );
    const { runId } = await stack.client.start('charger', 'Charge 1, 2, 3, 4 and 5 cents.');
    expect((await stack.client.result(runId)).status).toBe('completed');

    expect(chargeKeys).toHaveLength(5);
    expect(new Set(chargeKeys).size).toBe(5);
    expect(chargeKeys.sort()).toEqual(['call-1-1', 'call-1-2', 'call-2-1', 'call-3-1', 'call-3-2'].map((id) => `${runId}/${id}`));
    // Each result reached the model paired with a call it can tell apart.
    expect(toolResults(mock.requests[3]!).map((entry) => entry.content)).toEqual(['charged 1', 'charged 2', 'charged 3', 'charged 4', 'charged 5']);
  });
});

const malformedAgent = twoToolAgent('calc-malformed', 'openai:gpt-test');
