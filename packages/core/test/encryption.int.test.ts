/**
 * An encrypted stack: what Cairn writes to history and to its blob store is
 * sealed with the stack's key, and a client without the key (another user of the machine, say) can
 * neither read a run, nor approve its calls, nor start a run on its workers.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Connection, type WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, MockModelServer, startTestStack, toolResults, type TestStack } from '@cairn/testing';
import proto from '@temporalio/proto';
import { parseEncryptionKeys, startCodecServer, type EncryptionSettings } from '../src/encryption/index.ts';
import { CairnClient, defineAgent, defineTool } from '../src/index.ts';
import { approveSignal } from '../src/workflow/definitions.ts';
import { digestHistory } from '../src/analytics/index.ts';
import { fetchDecodedHistory } from '../src/client/decoded-history.ts';

const encryption: EncryptionSettings = { keys: parseEncryptionKeys(`k1:${randomBytes(32).toString('base64')}`, 'test'), acceptPlaintext: false };
const canary = `launch code ${randomBytes(6).toString('hex')}`;
const payments: string[] = [];
const pay = defineTool({
  name: 'pay',
  description: 'Pays someone.',
  input: z.object({ to: z.string() }),
  needsApproval: true,
  execute: ({ to }) => {
    payments.push(to);
    return `paid ${to}`;
  },
});
const cashier = defineAgent({ name: 'cashier', model: 'openai:gpt-test', instructions: 'Pay when asked.', tools: [pay] });

describe('an encrypted stack', () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let connection: Connection;
  /** Reaches the same server with no key: what any other local user could do. */
  let stranger: Client;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle((request) => (toolResults(request).length === 0 ? { toolCalls: [{ id: 'p1', name: 'pay', arguments: { to: 'Ada' } }] } : { text: `Done: ${toolResults(request)[0]!.content}. About ${canary}.` }));
    stack = await startTestStack({ agents: [cashier], mock, encryption });
    connection = await Connection.connect({ address: process.env.CAIRN_TEST_TEMPORAL_ADDRESS! });
    stranger = new Client({ connection });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
    await mock?.close();
  });

  it('keeps the prompt, the answer and the API key out of history, while the owner reads the run whole', async () => {
    const { runId } = await stack.client.start('cashier', `Pay Ada. The ${canary} is secret.`);
    await eventually(async () => (await stack.client.pending(runId)).length === 1, 'the approval');
    await stack.client.decide(runId, { approved: true });
    const result = await stack.client.result(runId);
    expect(result.output).toBe(`Done: paid Ada. About ${canary}.`);

    const history = JSON.stringify(await stranger.workflow.getHandle(runId).fetchHistory());
    const secretPart = canary.split(' ').at(-1)!;
    expect(history).not.toContain(secretPart);
    expect(history).not.toContain(Buffer.from(secretPart).toString('base64'));
    expect(history).not.toContain('test-key');
    // Every payload's bytes, decoded: ciphertext's base64 may spell 'Ada' by chance; a plaintext payload would hold it.
    const payloadBytes = [...history.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map(([, data]) => Buffer.from(data!, 'base64').toString('latin1'));
    expect(payloadBytes.length).toBeGreaterThan(10);
    expect(payloadBytes.filter((bytes) => bytes.includes('Ada'))).toEqual([]);
    // Nor in the clear anywhere else (a failure message): base64 has no spaces or quotes.
    expect(history).not.toMatch(/[\s"]Ada\b/);
    // Its memo (pending questions and approvals) is sealed too: without the key it cannot even be described.
    await expect(stranger.workflow.getHandle(runId).describe()).rejects.toThrow('Unknown encoding: binary/encrypted');

    // Nor is any of it readable in the blob store: every blob is sealed with the same key.
    const blobs = readdirSync(stack.blobDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(blobs.length).toBeGreaterThan(3);
    for (const blob of blobs) {
      const bytes = readFileSync(join(blob.parentPath, blob.name));
      expect(bytes.subarray(0, 10).toString()).toBe('CAIRNBLOB1');
      for (const secret of [secretPart, 'Ada', 'test-key', 'Pay when asked']) expect(bytes.includes(secret), `${secret} in ${blob.name}`).toBe(false);
    }

    const record = await stack.client.record(runId);
    expect(JSON.stringify(record)).toContain(secretPart);
    // The agent's spec is in a local activity's marker, whose own details the SDK writes in the clear.
    expect(record.model).toBe('openai:gpt-test');
    const digest = digestHistory((await fetchDecodedHistory(stack.temporal, runId)).events ?? [], { runId, execution: record.execution });
    expect(digest).toMatchObject({ agent: 'cashier', model: 'openai:gpt-test', state: 'completed', modelCalls: [{}, {}] });
  });

  it('decodes for the Web UI through the codec server, only for its origin and with its token', async () => {
    const { runId } = await stack.client.start('cashier', `Pay Ada. The ${canary} is secret.`);
    await eventually(async () => (await stack.client.pending(runId)).length === 1, 'the approval');
    const history = await stranger.workflow.getHandle(runId).fetchHistory();
    const payloads = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!.map((payload) =>
      proto.temporal.api.common.v1.Payload.toObject(proto.temporal.api.common.v1.Payload.fromObject(payload), { bytes: String }),
    );
    const codecServer = await startCodecServer({ encryption, origins: ['http://127.0.0.1:8233'], token: 'ui-token' });
    try {
      const decode = (headers: Record<string, string>) =>
        fetch(`${codecServer.url}/default/decode`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify({ payloads }) });
      const decoded = await decode({ Authorization: 'Bearer ui-token', Origin: 'http://127.0.0.1:8233', 'X-Namespace': 'default' });
      expect(decoded.status).toBe(200);
      expect(decoded.headers.get('access-control-allow-origin')).toBe('http://127.0.0.1:8233');
      const [input] = ((await decoded.json()) as { payloads: { data: string }[] }).payloads;
      expect(Buffer.from(input!.data, 'base64').toString()).toContain(canary);

      expect((await decode({})).status).toBe(401);
      expect((await decode({ Authorization: 'Bearer ui-token', Origin: 'http://evil.example' })).status).toBe(403);
      const preflight = await fetch(`${codecServer.url}/decode`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:8233' } });
      expect([preflight.status, preflight.headers.get('access-control-allow-headers')]).toEqual([204, 'Content-Type, Authorization, X-Namespace']);
    } finally {
      await codecServer.close();
      await stack.client.cancel(runId);
    }
  });

  it('records an approval sent without the key as rejected, and the call still waits for its owner', async () => {
    payments.length = 0;
    const { runId } = await stack.client.start('cashier', 'Pay Ada.');
    const [pending] = await eventually(async () => {
      const items = await stack.client.pending(runId);
      return items.length === 1 ? items : undefined;
    }, 'the approval');
    await stranger.workflow.getHandle(runId).signal(approveSignal, { callId: pending!.id });
    const rejected = await eventually(async () => {
      const status = await stack.client.status(runId);
      return status.rejected.length > 0 ? status.rejected : undefined;
    }, 'the rejection');
    expect(rejected[0]!.message).toMatch(/^Invalid approval: A payload was refused: it is not encrypted with this stack's key\.$/);
    expect(payments).toEqual([]);
    expect((await stack.client.pending(runId)).map((item) => item.id)).toEqual([pending!.id]);

    // Without the key the run is still listed (from its search attributes); its sealed questions stay out of the inbox.
    const strangerRuns = new CairnClient(stranger, { taskQueue: stack.taskQueue });
    expect((await strangerRuns.list({ limit: 500 })).find((run) => run.runId === runId)).toMatchObject({ agent: 'cashier', temporalStatus: 'RUNNING', state: 'waiting_for_human' });
    expect((await strangerRuns.inbox()).filter((item) => item.runId === runId)).toEqual([]);
    expect((await stack.client.inbox()).filter((item) => item.runId === runId)).toHaveLength(1);

    await stack.client.decide(runId, { approved: true });
    expect((await stack.client.result(runId)).status).toBe('completed');
    expect(payments).toEqual(['Ada']);
  });

  it('fails a run started without the key before it calls a model', async () => {
    const requestsBefore = mock.requests.length;
    const handle = await stranger.workflow.start('agentWorkflow', {
      taskQueue: stack.taskQueue,
      workflowId: `forged-${Date.now()}`,
      args: [{ agent: 'cashier', input: 'Pay Mallory.', options: {} }],
    });
    // The stranger cannot even read why: the failure is sealed as well.
    await expect(handle.result()).rejects.toThrow('Unknown encoding: binary/encrypted');
    const reason = await stack.temporal.workflow.getHandle(handle.workflowId).result().catch((error: WorkflowFailedError) => error.cause?.message);
    expect(reason).toMatch(/not started by a client holding the stack's encryption key/);
    expect((await stack.client.record(handle.workflowId)).error).toMatch(/not started by a client holding the stack's encryption key/);
    expect(mock.requests.length).toBe(requestsBefore);
  });
});
