/**
 * A link to a run in the Temporal Web UI reads as its audit trail: every activity
 * says what it did (the model and turn; the tool and its arguments), every run
 * says who it is and what it was asked, and a running run says what it waits for.
 */
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, eventually, toolResults, startTestStack, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent } from '../src/index.ts';
import { pay } from './fixtures/invoice-run.ts';

const clerk = defineAgent({ name: 'clerk', model: 'openai:gpt-clerk', instructions: 'Look things up.', tools: [] });
const accountant = defineAgent({ name: 'accountant', model: 'openai:gpt-books', instructions: 'Pay what is due.', tools: [pay], subAgents: [clerk], budget: { tokens: 50_000 } });

function model(request: MockRequest): ScriptedReply {
  if (request.system === 'Look things up.') return { text: 'Invoice INV-7 is due: 120.' };
  const results = toolResults(request);
  if (results.length === 0) return { toolCalls: [{ name: 'delegate_to_clerk', arguments: { task: 'Which invoice is due?' } }] };
  if (results.length === 1) return { toolCalls: [{ name: 'pay', arguments: { invoice: 'INV-7', amount: 120 } }] };
  return { text: 'Paid INV-7.' };
}

describe('the Web UI as the audit trail', { timeout: 60_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({ agents: [accountant, clerk], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('summarises every activity, describes every run, and says what a waiting run waits for', async () => {
    const { runId } = await stack.client.start('accountant', 'Pay whatever invoice is due this week.');
    const handle = stack.temporal.workflow.getHandle(runId);

    await eventually(async () => ((await stack.client.pending(runId)).length > 0 ? true : undefined), 'the approval');
    const { currentDetails } = (await handle.query('__temporal_workflow_metadata')) as { currentDetails: string };
    expect(currentDetails).toMatch(/^Waiting for approval of pay \{"invoice":"INV-7","amount":120\}\n\n\*\*Budget used\*\* [\d,]+ of 50,000 tokens/);

    await stack.client.decide(runId, { approved: true });
    expect(await stack.client.result(runId)).toMatchObject({ status: 'completed', output: 'Paid INV-7.' });

    const described = await handle.describe();
    expect(await described.staticSummary()).toBe('accountant: Pay whatever invoice is due this week.');
    expect(await described.staticDetails()).toBe(`**Agent** accountant\n\n**Task queue** ${stack.taskQueue}`);
    const child = await stack.temporal.workflow.getHandle(`${runId}.call-1-1`).describe();
    expect(await child.staticSummary()).toBe('clerk: Which invoice is due?');
    expect(await child.staticDetails()).toMatch(new RegExp(`^\\*\\*Agent\\*\\* clerk\\n\\n\\*\\*Budget\\*\\* tokens [\\d,]+\\n\\n\\*\\*Parent run\\*\\* ${runId}$`));

    expect(await activitySummaries(runId)).toEqual([
      ['resolveAgent', 'resolve agent accountant'],
      ['callModel', 'openai:gpt-books · turn 1'],
      ['callModel', 'openai:gpt-books · turn 2'],
      ['prepareToolCall', 'check before approval: pay {"invoice":"INV-7","amount":120}'],
      ['runTool', 'pay {"invoice":"INV-7","amount":120}'],
      ['callModel', 'openai:gpt-books · turn 3'],
    ]);
    expect(await activitySummaries(`${runId}.call-1-1`)).toEqual([
      ['resolveAgent', 'resolve agent clerk'],
      ['callModel', 'openai:gpt-clerk · turn 1'],
    ]);
  });

  async function activitySummaries(runId: string): Promise<[string, string][]> {
    const history = await stack.temporal.workflow.getHandle(runId).fetchHistory();
    // Activities, and local activities (the agent is resolved in one): a local activity's summary sits on its marker.
    return (history.events ?? []).flatMap((event): [string, string][] => {
      const summary = event.userMetadata?.summary ? defaultPayloadConverter.fromPayload<string>(event.userMetadata.summary) : '(none)';
      if (event.activityTaskScheduledEventAttributes) return [[event.activityTaskScheduledEventAttributes.activityType!.name!, summary]];
      const marker = event.markerRecordedEventAttributes;
      if (marker?.markerName !== 'core_local_activity') return [];
      return [[defaultPayloadConverter.fromPayload<{ activity_type: string }>(marker.details!.data!.payloads![0]!).activity_type, summary]];
    });
  }
});
