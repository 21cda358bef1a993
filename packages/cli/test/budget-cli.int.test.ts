import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, toolResults, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool } from '@cairn/core';
import { runCli } from './cli-process.ts';

const lookup = defineTool({ name: 'lookup', description: 'Looks a topic up.', input: z.object({ topic: z.string() }), execute: ({ topic }) => `notes on ${topic}` });
const patient = defineAgent({
  name: 'patient',
  model: 'openai:gpt-test',
  instructions: 'You research until told to stop.',
  tools: [lookup],
  onBudgetExhausted: 'ask',
  budget: { tokens: 3_000 },
});

// Each `cairn` is a fresh Node process that compiles TypeScript and bundles workflows: slow on a loaded 2-core machine.
describe('cairn budget', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  const env = () => ({ TEMPORAL_ADDRESS: inject('temporalAddress'), NO_COLOR: '1' });

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [patient], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it("asks a person when an 'ask' agent's budget runs out, and `cairn budget add` lets the run carry on", async () => {
    mock.handle((request) => {
      const done = toolResults(request).length;
      // Six lookups of 500 output tokens each cannot fit in 3,000 tokens; the answer comes after them.
      if (done < 6) return { toolCalls: [{ name: 'lookup', arguments: { topic: `t${done}` } }], usage: { inputTokens: 50 + done * 20, outputTokens: Math.min(500, request.maxTokens!) } };
      return { text: `Researched ${done} topics.`, usage: { inputTokens: 200, outputTokens: 20 } };
    });
    const { runId } = await stack.client.start('patient', 'Research six topics.');

    let pending = await stack.client.pending(runId);
    for (const start = Date.now(); pending.length === 0 && Date.now() - start < 20_000; pending = await stack.client.pending(runId)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(pending).toEqual([expect.objectContaining({ kind: 'question', id: 'budget-1', question: expect.stringMatching(/^The tokens budget of this run is used up .*cairn budget add/) })]);

    const shown = await runCli(['status', runId], env());
    expect(shown.stdout).toMatch(/state {3}waiting_for_human/);
    expect(shown.stdout).toMatch(/budget {2}[█▒░]+ [\d.k]+ \/ 3000 tokens/);

    const bad = await runCli(['budget', 'add', runId, 'lots'], env());
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("Not a budget amount: 'lots'.");

    const added = await runCli(['budget', 'add', runId, '5k'], env());
    expect(added.stdout).toContain(`Added 5000 tokens to ${runId}.`);
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: 'Researched 6 topics.' });
    expect(result.budget!.limits.tokens).toBe(8_000);
    expect(result.usage.inputTokens + result.usage.outputTokens).toBeLessThanOrEqual(8_000);

    const closed = await runCli(['budget', 'add', runId, '5k'], env());
    expect(closed.code).not.toBe(0);
    expect(closed.stderr).toContain('is not running (it is completed)');
  });
});
