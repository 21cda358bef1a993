/**
 * The yardstick: the agent loop as one might write it by hand on Temporal, with
 * nothing of Cairn's — no budget, no status, no transcript store. The whole
 * conversation travels in each model activity's input and result, which is the
 * naive design: cheapest per step while short, and fatal to long runs.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.ts';

const { modelStep, toolStep } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 minutes', heartbeatTimeout: '30 seconds' });

export async function minimalAgentWorkflow(input: { prompt: string; maxTurns: number }): Promise<{ turns: number; answer: string }> {
  const conversation: activities.MinimalMessage[] = [{ role: 'user', content: input.prompt }];
  for (let turn = 1; turn <= input.maxTurns; turn++) {
    const reply = await modelStep(conversation);
    conversation.push(reply);
    if (!reply.tool_calls?.length) return { turns: turn, answer: reply.content ?? '' };
    for (const call of reply.tool_calls) conversation.push({ role: 'tool', tool_call_id: call.id, content: await toolStep(call.function.arguments) });
  }
  return { turns: input.maxTurns, answer: '' };
}
