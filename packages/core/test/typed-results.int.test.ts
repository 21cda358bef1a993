/**
 * Agents with schemas: a supervisor (OpenAI) delegates to a researcher
 * (Anthropic) whose input and output are zod objects. The delegation's
 * arguments are checked against the researcher's input schema before it starts;
 * its reply is asked for as structured output (Anthropic: a forced tool),
 * checked, sent back once to be fixed, and handed to the supervisor as JSON. A
 * reply that keeps breaking the schema fails the run, saying why.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { CairnError, defineAgent, type AgentOutput } from '../src/index.ts';

const researcher = defineAgent({
  name: 'researcher',
  model: 'anthropic:claude-sonnet-4-5',
  instructions: 'Research the topic.',
  description: 'Finds facts about a topic.',
  input: z.object({ topic: z.string().min(1), depth: z.enum(['brief', 'thorough']).default('brief') }),
  output: z.object({ findings: z.array(z.string()), confidence: z.number().min(0).max(1) }),
});
const supervisor = defineAgent({ name: 'supervisor', model: 'openai:gpt-4.1-mini', instructions: 'Supervise.', subAgents: [researcher] });
const summariser = defineAgent({
  name: 'summariser',
  model: 'openai:gpt-4.1-mini',
  instructions: 'Summarise.',
  output: z.object({ summary: z.string().max(40) }),
  outputRepairs: 1,
});

const findings = { findings: ['The moon pulls the oceans.', 'The sun adds spring tides.'], confidence: 0.8 };

function supervisorReply(request: MockRequest): ScriptedReply {
  const results = toolResults(request);
  if (results.length === 0) return { toolCalls: [{ name: 'delegate_to_researcher', arguments: { subject: 'tides' } }] };
  if (results.length === 1) return { toolCalls: [{ name: 'delegate_to_researcher', arguments: { topic: 'tides' } }] };
  return { text: `Confidence ${JSON.parse(results[1]!.content).confidence}.` };
}

function researcherReply(request: MockRequest): ScriptedReply {
  const repairs = request.messages.filter((message) => message.role === 'user' && message.content.includes('Give your final answer again')).length;
  // First a confidence in words, which the schema refuses; then the numbers.
  return { toolCalls: [{ name: 'final_answer', arguments: repairs === 0 ? { ...findings, confidence: 'high' } : findings }] };
}

describe('typed results', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request) => {
      if (request.system === 'Supervise.') return supervisorReply(request);
      if (request.system === 'Research the topic.') return researcherReply(request);
      return { text: 'The tides rise and fall twice a day because the moon and the sun pull on the oceans.' };
    });
    stack = await startTestStack({ agents: [supervisor, summariser], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('checks a delegation against the sub-agent input schema, repairs its broken reply once, and hands the parent typed data', { timeout: 60_000 }, async () => {
    const { runId } = await stack.client.start('supervisor', 'How do tides work?');
    expect(await stack.client.result(runId)).toMatchObject({ status: 'completed', output: 'Confidence 0.8.' });

    const supervisorRequests = mock.requests.filter((request) => request.system === 'Supervise.');
    const delegate = (supervisorRequests[0]!.body as { tools: { function: { name: string; parameters: unknown; description: string } }[] }).tools[0]!.function;
    expect(delegate.parameters).toMatchObject({ type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] });
    expect(delegate.description).toContain('"confidence"');
    // The arguments that break the schema never start a sub-agent: the model is told what is wrong (Chat Completions has no error flag).
    const [refused, answered] = toolResults(supervisorRequests[2]!);
    expect(refused!.content).toMatch(/^Invalid arguments for 'delegate_to_researcher':[\s\S]*at topic/);
    expect(JSON.parse(answered!.content)).toEqual(findings);

    const researcherRequests = mock.requests.filter((request) => request.system === 'Research the topic.');
    expect(researcherRequests).toHaveLength(2);
    // The child reads its checked input as JSON, defaults applied.
    expect(researcherRequests[0]!.messages[0]).toEqual({ role: 'user', content: '{"topic":"tides","depth":"brief"}' });
    // Anthropic takes structured output as a tool it is made to call.
    expect(researcherRequests[0]!.body).toMatchObject({ tool_choice: { type: 'tool', name: 'final_answer' }, tools: [{ name: 'final_answer', input_schema: { properties: { confidence: { type: 'number' } } } }] });
    expect(researcherRequests[1]!.messages.at(-1)).toMatchObject({ role: 'user', content: expect.stringMatching(/does not match the output schema[\s\S]*confidence/) });

    const child = await stack.client.result<AgentOutput<typeof researcher>>(`${runId}.call-2-1`);
    expect(child).toMatchObject({ status: 'completed', turns: 2, value: findings, output: JSON.stringify(findings) });
  });

  it('types what a client starts and gets back', { timeout: 60_000 }, async () => {
    const direct = await stack.client.start(researcher, { topic: 'tides', depth: 'thorough' });
    const result = await stack.client.result(direct);
    expectTypeOf(result.value).toEqualTypeOf<{ findings: string[]; confidence: number } | undefined>();
    expect(result.value?.confidence).toBe(0.8);
    await expect(stack.client.start(researcher, { topic: '' })).rejects.toThrow(/does not match the input schema of agent 'researcher'.*topic/);
  });

  it('asks OpenAI for a JSON-schema response, and fails the run with the last problem when repairs run out', { timeout: 60_000 }, async () => {
    const before = mock.requests.length;
    const { runId } = await stack.client.start(summariser, 'Tides.');
    const failure = await stack.client.result(runId).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CairnError);
    expect((failure as Error).message).toMatch(/Agent 'summariser' gave no final answer that matches its output schema in 2 tries\. The last: The reply is not valid JSON/);
    const requests = mock.requests.slice(before);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.body).toMatchObject({ response_format: { type: 'json_schema', json_schema: { name: 'final_answer', schema: { properties: { summary: { type: 'string', maxLength: 40 } } } } } });
  });
});
