import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { defineAgent } from '../src/index.ts';

const openaiAgent = defineAgent({ name: 'plain-openai', model: 'openai:gpt-test', instructions: 'Answer briefly.' });
const anthropicAgent = defineAgent({ name: 'plain-anthropic', model: 'anthropic:claude-test', instructions: 'Answer briefly.' });

describe('model errors, classified and retried by Temporal', () => {
  let mock: MockModelServer;
  let stack: TestStack;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [openaiAgent, anthropicAgent], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it("waits for the server's retry-after before retrying a 429", async () => {
    mock.reset();
    mock.script({ fault: { kind: 'rate_limit', retryAfterSeconds: 2 } }, { text: 'Done.' });
    const { runId } = await stack.client.start('plain-openai', 'Hello');
    const result = await stack.client.result(runId);

    expect(result.output).toBe('Done.');
    const [limited, retried] = mock.requests;
    expect(limited!.status).toBe(429);
    const waited = retried!.receivedAt - limited!.receivedAt;
    console.log(`429 with retry-after: 2 → retried after ${waited} ms`);
    // Without the hint Temporal's first retry would come after 1 s.
    expect(waited).toBeGreaterThanOrEqual(1900);
    expect(waited).toBeLessThan(6000);
  });

  it('retries transient failures (500, 529 overloaded) with backoff until the call succeeds', async () => {
    mock.reset();
    mock.script({ fault: { kind: 'server_error' } }, { fault: { kind: 'overloaded' } }, { text: 'Recovered.' });
    const { runId } = await stack.client.start('plain-anthropic', 'Hello');
    expect((await stack.client.result(runId)).output).toBe('Recovered.');
    expect(mock.requests.map((request) => request.status)).toEqual([500, 529, 200]);
  });

  it('fails the run at once on a 400, with a message a person can act on', async () => {
    mock.reset();
    mock.script({ fault: { kind: 'bad_request', message: "Unsupported parameter: 'max_completion_tokens'" } }, { text: 'must never be served' });
    const { runId } = await stack.client.start('plain-openai', 'Hello');

    const failure = await stack.client.result(runId).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toMatch(/failed: .*400.*Unsupported parameter: 'max_completion_tokens'/);
    expect(failure?.message).toContain('check the model name');
    expect(mock.requests).toHaveLength(1);
    expect((await stack.client.status(runId)).state).toBe('failed');
  });
});
