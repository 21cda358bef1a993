/**
 * A tool says how it failed with a ToolError: transient and rate-limited failures
 * are retried by Temporal (a rate limit not before the tool's hint) before the
 * model hears of them; a fatal one reaches the model at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool, ToolError } from '../src/index.ts';

const attempts = new Map<string, number[]>();
/** Fails as `kind` the first `failures` times for a key, then answers. */
const flaky = defineTool({
  name: 'flaky',
  description: 'Fetches a value; sometimes the service is busy.',
  input: z.object({ key: z.string(), kind: z.enum(['transient', 'rate_limited', 'fatal']), failures: z.number() }),
  execute: ({ key, kind, failures }) => {
    const times = attempts.get(key) ?? [];
    times.push(Date.now());
    attempts.set(key, times);
    if (times.length <= failures) throw new ToolError(`the service is busy (${kind})`, { kind, code: 'busy', ...(kind === 'rate_limited' ? { retryAfterMs: 1_500 } : {}) });
    return `value of ${key}`;
  },
});
const fetcher = defineAgent({ name: 'fetcher', model: 'openai:gpt-test', instructions: 'Fetch.', tools: [flaky] });

describe('tool errors', { timeout: 60_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [fetcher], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  /** Calls the tool once with these arguments, then answers with what the model was handed back. */
  async function runWith(args: { key: string; kind: string; failures: number }): Promise<string> {
    mock.handle((request: MockRequest): ScriptedReply => {
      const [result] = toolResults(request);
      return result ? { text: result.content } : { toolCalls: [{ name: 'flaky', arguments: args }] };
    });
    const { runId } = await stack.client.start('fetcher', `fetch ${args.key}`);
    return (await stack.client.result(runId)).output;
  }

  it.each([
    ['a transient failure', 'transient'],
    ['a rate limit', 'rate_limited'],
  ])('retries %s, and the model gets the result once it passes', async (_name, kind) => {
    const key = `passes-${kind}`;
    expect(await runWith({ key, kind, failures: 2 })).toBe(`value of ${key}`);
    expect(attempts.get(key)).toHaveLength(3);
  });

  it('waits out a rate limit’s hint between attempts', async () => {
    const times = attempts.get('passes-rate_limited')!;
    for (let index = 1; index < times.length; index += 1) expect(times[index]! - times[index - 1]!).toBeGreaterThanOrEqual(1_400);
  });

  it('hands the model the error once the attempts are used up', async () => {
    expect(await runWith({ key: 'stays-down', kind: 'transient', failures: 99 })).toBe("Tool 'flaky' failed (tried 3 times): the service is busy (transient)");
    expect(attempts.get('stays-down')).toHaveLength(3);
  });

  it('hands the model a fatal error at once', async () => {
    expect(await runWith({ key: 'broken', kind: 'fatal', failures: 99 })).toBe("Tool 'flaky' failed: the service is busy (fatal)");
    expect(attempts.get('broken')).toHaveLength(1);
  });
});
