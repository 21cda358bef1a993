/**
 * Large values take the claim check: a run input, a model reply, a tool call's
 * arguments and a sub-agent's answer of megabytes are stored in the blob store
 * and referenced from history by key. Each run completes, everything reaches its
 * reader whole, and history grows by a few KB a turn.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, eventually, lastMessage, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool } from '../src/index.ts';

const reader = defineAgent({ name: 'reader', model: 'openai:gpt-test', instructions: 'Summarise what you are given.', budget: { tokens: 10_000_000 } });
const writer = defineAgent({ name: 'writer', model: 'openai:gpt-test', instructions: 'Write at length.', budget: { tokens: 10_000_000 } });

const archived: number[] = [];
const archive = defineTool({
  name: 'archive',
  description: 'Archives a document; a person approves it first.',
  input: z.object({ document: z.string() }),
  needsApproval: true,
  execute: async ({ document }) => {
    archived.push(document.length);
    return `archived ${document.length} characters`;
  },
});
const archivist = defineAgent({ name: 'archivist', model: 'openai:gpt-test', instructions: 'Archive what you write.', tools: [archive], budget: { tokens: 10_000_000 } });
const editor = defineAgent({ name: 'editor', model: 'openai:gpt-test', instructions: 'Have the writer write, then report.', subAgents: [writer], budget: { tokens: 10_000_000 } });

/** 3 MiB and more of text that is not one repeated line. */
function megabytes(mib: number, word: string): string {
  const line = (index: number) => `${word} ${index.toString(36).padStart(8, '0')} lorem ipsum dolor\n`;
  return Array.from({ length: Math.ceil((mib * 1024 * 1024) / line(0).length) }, (_, index) => line(index)).join('');
}
const longAnswer = megabytes(3, 'answer');
const longDocument = megabytes(1.2, 'document');

function model(request: MockRequest): ScriptedReply {
  // Input tokens as the mock counts them (about 4 characters a token): Cairn calibrates its estimates on them.
  const usage = { outputTokens: 800_000 };
  if (request.system === 'Summarise what you are given.') return { text: longAnswer, usage };
  // A sub-agent's slice of its parent's budget is smaller: its usage is kept within it.
  if (request.system === 'Write at length.') return { text: longAnswer, usage: { outputTokens: 1_000 } };
  if (request.system === 'Archive what you write.') {
    return toolResults(request).length === 0 ? { toolCalls: [{ name: 'archive', arguments: { document: longDocument } }], usage } : { text: `Done: ${lastMessage(request)!.content}` };
  }
  return toolResults(request).length === 0 ? { toolCalls: [{ name: 'delegate_to_writer', arguments: { task: 'Write it all.' } }] } : { text: `The writer wrote ${toolResults(request)[0]!.content.length} characters.` };
}

describe('large values', { timeout: 120_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  const historyBytes = async (runId: string) => Buffer.byteLength(JSON.stringify(await stack.temporal.workflow.getHandle(runId).fetchHistory()));
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

  beforeAll(async () => {
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [reader, writer, archivist, editor], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
  });

  it('runs on a 5 MiB input, which reaches the model whole while history holds only its key', async () => {
    mock.script({ text: 'A long document about tides.', usage: { inputTokens: 1_000_000, outputTokens: 10 } });
    const input = `Summarise this log.\n${'tide table line 0123456789 high water low water\n'.repeat(110_000)}`;
    expect(Buffer.byteLength(input)).toBeGreaterThan(5 * 1024 * 1024);
    const { runId } = await stack.client.start('reader', input);
    expect(await stack.client.result(runId)).toMatchObject({ status: 'completed', output: 'A long document about tides.' });

    expect(mock.requests[0]!.messages[0]!.content).toBe(input);
    const bytes = await historyBytes(runId);
    console.log(`a ${(Buffer.byteLength(input) / 1024 / 1024).toFixed(1)} MiB input: ${kib(bytes)} of history in all`);
    expect(bytes).toBeLessThan(64 * 1024);
  });

  it('completes on a 3 MiB model reply: its tokens are counted, the client reads it whole, history holds its key', async () => {
    mock.handle(model);
    const { runId } = await stack.client.start('reader', 'Tell me everything.');
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', usage: { outputTokens: 800_000 } });
    expect(result.output).toBe(longAnswer);
    expect(result.outputRef).toMatch(/^[0-9a-f]{64}$/);
    // What history holds: the answer's beginning and where the rest is.
    const raw = (await stack.temporal.workflow.getHandle(runId).result()) as { output: string };
    expect(raw.output).toMatch(/^answer 00000000 lorem ipsum[\s\S]*\[… cut here in history: the whole text is 3\.0 MiB, stored as blob [0-9a-f]{64}\.\]$/);
    const bytes = await historyBytes(runId);
    console.log(`a ${(longAnswer.length / 1024 / 1024).toFixed(1)} MiB reply: ${kib(bytes)} of history in all`);
    expect(bytes).toBeLessThan(32 * 1024);
  });

  it('runs a gated tool on 1.2 MiB of arguments: the approver sees their beginning, the tool gets them whole, history holds them once at most', async () => {
    mock.handle(model);
    archived.length = 0;
    const { runId } = await stack.client.start('archivist', 'Write and archive a long document.');
    const [pending] = await eventually(async () => ((await stack.client.pending(runId)).length > 0 ? stack.client.pending(runId) : undefined), 'the approval');
    expect(pending).toMatchObject({ kind: 'approval', tool: 'archive' });
    expect(String((pending as { arguments: unknown }).arguments)).toMatch(/^\{"document":"document 00000000[\s\S]*\[… cut here in history: the whole text is 1\.2 MiB, stored as blob [0-9a-f]{64}\.\]$/);
    await stack.client.decide(runId, { approved: true });
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: `Done: archived ${longDocument.length} characters` });
    expect(archived).toEqual([longDocument.length]);
    const bytes = await historyBytes(runId);
    console.log(`${(longDocument.length / 1024 / 1024).toFixed(1)} MiB of tool arguments: ${kib(bytes)} of history in all (2 turns)`);
    expect(bytes).toBeLessThan(48 * 1024);
  });

  it('hands a sub-agent’s 3 MiB answer to its parent’s model whole, by key', async () => {
    mock.handle(model);
    const { runId } = await stack.client.start('editor', 'Get the long text written.');
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: `The writer wrote ${longAnswer.length} characters.` });
    expect(result.children).toEqual([expect.objectContaining({ agent: 'writer', state: 'completed' })]);
    const parentBytes = await historyBytes(runId);
    const childBytes = await historyBytes(result.children[0]!.runId);
    console.log(`a sub-agent's ${(longAnswer.length / 1024 / 1024).toFixed(1)} MiB answer: ${kib(parentBytes)} of history in the parent, ${kib(childBytes)} in the child`);
    expect(parentBytes).toBeLessThan(48 * 1024);
    expect(childBytes).toBeLessThan(32 * 1024);
  });
});
