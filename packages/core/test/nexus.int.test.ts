/**
 * Agents across teams: a coordinator in one namespace calls a translator that
 * another namespace exposes over Nexus, and gets its typed result durably. The
 * endpoint is made as an operator would (`temporal operator nexus endpoint create`).
 */
import { Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { createTestNamespace, MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent, nexusAgent } from '../src/index.ts';

const translator = defineAgent({
  name: 'translator',
  model: 'openai:gpt-test',
  instructions: 'Translate.',
  output: z.object({ translation: z.string(), language: z.string() }),
});
const endpoint = `translations-${process.pid}-${Date.now().toString(36)}`;
const coordinator = defineAgent({
  name: 'coordinator',
  model: 'openai:gpt-test',
  instructions: 'Coordinate.',
  tools: [nexusAgent({ endpoint, agent: 'translator', description: 'Translates text; the translations team runs it.' })],
});

function model(request: MockRequest): ScriptedReply {
  if (request.system === 'Translate.') return { text: JSON.stringify({ translation: 'bonjour', language: 'fr' }) };
  const [result] = toolResults(request);
  if (result) return { text: `The translations team says: ${result.content}` };
  return { toolCalls: [{ name: 'call_translator', arguments: { task: 'Translate "hello" into French.' } }] };
}

describe('agents across namespaces through Nexus', { timeout: 120_000 }, () => {
  let mock: MockModelServer;
  let caller: TestStack;
  let callee: TestStack;
  let connection: Connection;
  let calleeNamespace: string;

  beforeAll(async () => {
    const address = inject('temporalAddress');
    mock = await MockModelServer.start();
    mock.handle(model);
    calleeNamespace = await createTestNamespace(address, `translations-${process.pid}`);
    callee = await startTestStack({ agents: [translator], mock, address, namespace: calleeNamespace, nexus: { agents: ['translator'] } });
    caller = await startTestStack({ agents: [coordinator], mock, address });
    connection = await Connection.connect({ address });
    await connection.operatorService.createNexusEndpoint({ spec: { name: endpoint, target: { worker: { namespace: calleeNamespace, taskQueue: callee.taskQueue } } } });
  });
  afterAll(async () => {
    await connection?.close();
    await caller?.stop();
    await callee?.stop();
    await mock?.close();
  });

  it('runs the other namespace’s agent and hands the caller its typed result', async () => {
    const { runId } = await caller.client.start('coordinator', 'Say hello in French.');
    const result = await caller.client.result(runId);
    expect(result.output).toBe('The translations team says: {"translation":"bonjour","language":"fr"}');

    // Through Nexus: the caller's history holds the operation, scheduled on the endpoint and completed.
    const events = (await caller.temporal.workflow.getHandle(runId).fetchHistory()).events ?? [];
    const scheduled = events.find((event) => event.nexusOperationScheduledEventAttributes)?.nexusOperationScheduledEventAttributes;
    expect(scheduled).toMatchObject({ endpoint, service: 'cairn-agents', operation: 'runAgent' });
    expect(events.some((event) => event.nexusOperationCompletedEventAttributes)).toBe(true);

    // The translator ran as an ordinary run in its own namespace, listed under its agent.
    const runs = [];
    for await (const run of callee.temporal.workflow.list({ query: `WorkflowType = 'agentWorkflow'` })) runs.push(run);
    expect(runs).toHaveLength(1);
    const remote = await callee.client.result(runs[0]!.workflowId);
    expect(remote.value).toEqual({ translation: 'bonjour', language: 'fr' });
  });
});
