import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MockModelServer, toolResults, startTestStack, type TestStack } from '@cairn/testing';
import { defineAgent, defineTool } from '@cairn/core';
import { fetchPage } from '../index.ts';

const plainPage = `<html><body>${Array.from({ length: 10_000 }, (_, i) => `<p>Paragraph ${i} of a long plain page.</p>`).join('')}</body></html>`;
const nestedPage = `<html><body>${'<div><span>deep '.repeat(1_000)}${'</span></div>'.repeat(1_000)}</body></html>`;
const mebibyteWithoutSpaces = 'a'.repeat(1024 * 1024);

const readPage = defineTool({
  name: 'read_page',
  description: 'Reads a page.',
  input: z.object({ url: z.string() }),
  execute: async ({ url }) => (await fetchPage(url, { allowPrivateNetwork: true })).text,
});
const dump = defineTool({
  name: 'dump',
  description: 'Returns a 5 MB log.',
  input: z.object({}),
  execute: () => 'log line with words in it\n'.repeat(200_000),
});
const blob = defineTool({
  name: 'blob',
  description: 'Returns 1 MiB without spaces.',
  input: z.object({}),
  execute: () => mebibyteWithoutSpaces,
});
const tick = defineTool({ name: 'tick', description: 'Ticks.', input: z.object({}), execute: () => 'tock' });

const heavy = defineAgent({ name: 'heavy', model: 'openai:gpt-test', instructions: 'You read heavy things.', tools: [readPage, dump, blob] });
const ticker = defineAgent({ name: 'ticker', model: 'openai:gpt-test', instructions: 'You tick.', tools: [tick], maxTurns: 50 });

describe('a worker under heavy inputs', () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let pages: Server;
  let pagesUrl: string;

  beforeAll(async () => {
    pages = createServer((request, response) => {
      response.setHeader('content-type', 'text/html; charset=utf-8');
      response.end(request.url === '/nested' ? nestedPage : plainPage);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    mock = await MockModelServer.start();
    stack = await startTestStack({ agents: [heavy, ticker], mock });
  });
  afterAll(async () => {
    await stack?.stop();
    await mock?.close();
    await new Promise((resolve) => pages?.close(resolve));
  });

  it('keeps its event loop responsive and other runs moving while it handles a 5 MB result, big pages and 1 MiB without spaces', { timeout: 120_000 }, async () => {
    mock.handle((request) => {
      const results = toolResults(request);
      if (request.system === 'You tick.') return results.length < 15 ? { toolCalls: [{ name: 'tick', arguments: {} }], latencyMs: 50 } : { text: 'Ticked.' };
      if (results.length > 0) return { text: `Read ${results.length} results.` };
      if (request.messages[0]?.content.length === mebibyteWithoutSpaces.length) return { text: 'A long input.' };
      return {
        toolCalls: [
          { name: 'dump', arguments: {} },
          { name: 'blob', arguments: {} },
          { name: 'read_page', arguments: { url: `${pagesUrl}/plain` } },
          { name: 'read_page', arguments: { url: `${pagesUrl}/nested` } },
        ],
      };
    });
    // A short heartbeat timeout: a loop blocked for longer would get live calls retried.
    const options = { heartbeatTimeoutMs: 2_000 };
    const tickerRun = await stack.client.start('ticker', 'Tick 15 times.', options);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const heavyRun = await stack.client.start('heavy', 'Read everything.', options);
    const longInput = await stack.client.start('heavy', mebibyteWithoutSpaces, options);
    const [heavyResult, longResult, tickerResult] = await Promise.all([heavyRun, longInput, tickerRun].map(({ runId }) => stack.client.result(runId)));
    delay.disable();

    const p99 = delay.percentile(99) / 1e6;
    console.log(`event-loop delay in the worker: p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms`);
    expect(heavyResult).toMatchObject({ status: 'completed', output: 'Read 4 results.' });
    expect(longResult).toMatchObject({ status: 'completed', output: 'A long input.' });
    expect(tickerResult).toMatchObject({ status: 'completed', turns: 16 });
    expect(p99).toBeLessThan(200);

    // Each model call was served once: nothing timed out and was retried.
    const heavyCalls = mock.requests.filter((request) => request.system === 'You read heavy things.');
    expect(heavyCalls).toHaveLength(3);
    const [dumped, blobbed, plain, nested] = toolResults(heavyCalls.find((request) => toolResults(request).length > 0)!).map((result) => result.content);
    expect(dumped).toMatch(/\[Result cut: it has 5,200,000 characters and only the first 100,000 are shown\. The full result is stored as blob [0-9a-f]+\./);
    expect(blobbed).toMatch(/\[Result cut: it has 1,048,576 characters/);
    expect(plain).toContain('Paragraph 2000 of a long plain page.');
    expect(plain).toMatch(/\[Result cut: it has [0-9,]+ characters/);
    expect(nested).toContain('deep');
  });
});
