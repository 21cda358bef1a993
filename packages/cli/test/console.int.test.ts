/**
 * The web console in a real browser (Debian's Chromium through playwright-core):
 * runs appear in the list; a run's tree and transcript are `cairn show`'s; a
 * sub-agent's question is answered from the inbox page; an approval with edited
 * arguments runs the tool with them; a denial's reason reaches the model, and the
 * token's name is recorded with it; off loopback, nothing answers without a token.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { askHuman, defineAgent, defineTool, type RunRecord } from '@cairn/core';
import { eventually, MockModelServer, startTestStack, toolResults, type MockRequest, type ScriptedReply, type TestStack, transferTool } from '@cairn/testing';
import { startConsoleServer, type ConsoleServer } from '../src/console/console-server.ts';
import { runCli } from './cli-process.ts';

const browserPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));
// Committed screenshots are refreshed with CAIRN_UPDATE_SCREENSHOTS=1; otherwise they go to a temporary folder.
const screenshots = process.env.CAIRN_UPDATE_SCREENSHOTS ? resolve('docs/images') : mkdtempSync(join(tmpdir(), 'cairn-console-shots-'));
const aliceToken = 'alice-token-0123456789abcdef';

const { transfer, transfers } = transferTool();
const helper = defineAgent({ name: 'helper', model: 'openai:gpt-test', instructions: 'You help; ask when unsure.', tools: [askHuman()] });
const lead = defineAgent({ name: 'lead', model: 'openai:gpt-test', instructions: 'You lead. Delegate.', subAgents: [helper], budget: { tokens: 100_000 } });
const banker = defineAgent({ name: 'banker', model: 'openai:gpt-test', instructions: 'You move money when asked.', tools: [transfer] });
const lookup = defineTool({ name: 'lookup', description: 'Looks a topic up.', input: z.object({ topic: z.string() }), execute: ({ topic }) => `notes on ${topic}` });
const patient = defineAgent({ name: 'patient', model: 'openai:gpt-test', instructions: 'You research until told to stop.', tools: [lookup], onBudgetExhausted: 'ask', budget: { tokens: 3_000 } });
const writer = defineAgent({ name: 'writer', model: 'openai:gpt-test', instructions: 'You write at length.' });
const essay = Array.from({ length: 40 }, (_, index) => `Line ${index + 1} of the essay about cairns.`).join('\n');

function model(request: MockRequest): ScriptedReply {
  const [result] = toolResults(request);
  switch (request.system) {
    case 'You help; ask when unsure.':
      return result ? { text: `Helper found: ${result.content}` } : { toolCalls: [{ name: 'ask_human', arguments: { question: 'Which city should we meet in?' } }] };
    case 'You lead. Delegate.':
      return result ? { text: `Lead says: ${result.content}` } : { toolCalls: [{ name: 'delegate_to_helper', arguments: { task: 'Find the city to meet in.' } }] };
    case 'You research until told to stop.': {
      // Six lookups of 500 output tokens each cannot fit in 3,000 tokens; the answer comes after them.
      const done = toolResults(request).length;
      if (done < 6) return { toolCalls: [{ name: 'lookup', arguments: { topic: `t${done}` } }], usage: { inputTokens: 50 + done * 20, outputTokens: Math.min(500, request.maxTokens!) } };
      return { text: `Researched ${done} topics.`, usage: { inputTokens: 200, outputTokens: 20 } };
    }
    case 'You write at length.':
      return { text: essay, streamDelayMs: 60 };
    default:
      return result ? { text: `Done: ${result.content}` } : { toolCalls: [{ name: 'transfer', arguments: { to: 'alice', amount: 10 } }] };
  }
}

describe('the web console', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let local: ConsoleServer;
  let exposed: ConsoleServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!browserPath) throw new Error('No Chromium found: install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.');
    mock = await MockModelServer.start();
    mock.handle(model);
    stack = await startTestStack({ agents: [lead, banker, patient, writer], mock, address: inject('temporalAddress') });
    local = await startConsoleServer({ client: stack.client, port: 0 });
    exposed = await startConsoleServer({ client: stack.client, host: '0.0.0.0', port: 0, tokens: [{ name: 'alice', token: aliceToken }] });
    browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    mkdirSync(screenshots, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await local?.close();
    await exposed?.close();
    await stack?.stop();
    await mock?.close();
  });

  const waitingIn = (runId: string) =>
    eventually(async () => (await stack.client.inbox()).find((item) => item.runId === runId), `an item of ${runId} in the inbox`);

  let leadRun = '';

  it('lists a run as it starts, with its agent and state', async () => {
    leadRun = (await stack.client.start('lead', 'Where should we meet?')).runId;
    await page.goto(`${local.url}/#/`);
    const row = page.locator(`tr[data-run="${leadRun}"]`);
    await row.waitFor();
    expect(await row.locator('td').nth(1).textContent()).toBe('lead');
    await page.locator('[data-testid=filter-agent]').fill('banker');
    await row.waitFor({ state: 'detached' });
    await page.locator('[data-testid=filter-agent]').fill('lead');
    await row.waitFor();
  });

  it('answers a sub-agent’s question from the inbox, and the run completes with that answer', async () => {
    const child = `${leadRun}.call-1-1`;
    await waitingIn(child);
    await page.goto(`${local.url}/#/inbox`);
    const card = page.locator(`[data-testid=pending][data-run="${child}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('Which city should we meet in?');
    await page.screenshot({ path: join(screenshots, 'console-inbox.png') });
    await card.locator('[data-testid=answer-input]').fill('Lisbon');
    await card.locator('[data-testid=answer]').click();
    await card.locator('.outcome.ok').waitFor();
    expect(await card.locator('[data-testid=outcome]').textContent()).toBe('Answered ✓');
    expect((await stack.client.result(leadRun)).output).toBe('Lead says: Helper found: Lisbon');
  });

  it('shows the run’s tree and transcript as `cairn show` records them', async () => {
    await page.goto(`${local.url}/#/run/${encodeURIComponent(leadRun)}`);
    await page.locator('[data-testid=output]').waitFor();
    const nodes = await page.locator('[data-testid=tree-node]').evaluateAll((elements) => elements.map((element) => [element.getAttribute('data-run'), element.querySelector('[data-testid=state]')?.textContent]));
    expect(nodes).toEqual([
      [leadRun, 'completed'],
      [`${leadRun}.call-1-1`, 'completed'],
    ]);

    const shown = await runCli(['show', leadRun, '--json', '--depth', '3'], { TEMPORAL_ADDRESS: inject('temporalAddress'), CAIRN_HOME: mkdtempSync(join(tmpdir(), 'cairn-console-')), CAIRN_TASK_QUEUE: stack.taskQueue, CAIRN_BLOB_DIR: stack.blobDir, NO_COLOR: '1' });
    expect(shown.code, shown.stderr).toBe(0);
    const record = JSON.parse(shown.stdout) as RunRecord;
    const turns = await page.locator('[data-testid=transcript] > [data-testid=turn]').evaluateAll((elements) =>
      elements.map((turn) => ({
        turn: Number(turn.getAttribute('data-turn')),
        text: turn.querySelector('[data-testid=turn-text]')?.textContent ?? '',
        calls: [...turn.querySelectorAll('[data-testid=tool-call]')].map((call) => ({ id: call.getAttribute('data-call'), result: call.querySelector('[data-testid=result]')?.textContent })),
      })),
    );
    expect(turns).toEqual(record.turns.map((turn) => ({ turn: turn.turn, text: turn.text, calls: turn.toolCalls.map((call) => ({ id: call.id, result: call.result })) })));
    expect(await page.locator('[data-testid=output]').textContent()).toBe(record.output);
    await page.screenshot({ path: join(screenshots, 'console-run.png'), fullPage: true });
  });

  it('approves a call with edited arguments, and the tool runs with them', async () => {
    const { runId } = await stack.client.start('banker', 'Pay alice.');
    await waitingIn(runId);
    await page.goto(`${local.url}/#/inbox`);
    const card = page.locator(`[data-testid=pending][data-run="${runId}"]`);
    await card.locator('[data-testid=arguments-input]').fill('{"to": "alice", "amount": 25}');
    await card.locator('[data-testid=approve]').click();
    await card.locator('.outcome.ok').waitFor();
    expect(await card.locator('[data-testid=outcome]').textContent()).toBe('Approved with edited arguments ✓');
    expect((await stack.client.result(runId)).output).toBe('Done: sent 25 to alice');
    expect(transfers).toEqual([{ to: 'alice', amount: 25 }]);
  });

  it('off loopback, asks for the token; a denial with its reason reaches the model and records who gave it', async () => {
    const { runId } = await stack.client.start('banker', 'Pay alice again.');
    await waitingIn(runId);
    const port = new URL(exposed.url).port;
    await page.goto(`http://127.0.0.1:${port}/#/inbox`);
    await page.locator('[data-testid=token-input]').fill(aliceToken);
    await page.locator('[data-testid=token-input]').press('Enter');
    const card = page.locator(`[data-testid=pending][data-run="${runId}"]`);
    await page.locator('#who').filter({ hasText: 'signed in as alice' }).waitFor();
    await card.locator('[data-testid=reason-input]').fill('not a known payee');
    await card.locator('[data-testid=deny]').click();
    await card.locator('.outcome.ok').waitFor();

    expect((await stack.client.result(runId)).output).toBe("Done: The user denied this call to 'transfer': not a known payee. Do not retry it unchanged.");
    expect(transfers).toHaveLength(1);
    const record = await stack.client.record(runId);
    expect(record.turns[0]!.toolCalls[0]!.approval).toMatchObject({ state: 'denied', by: 'person', person: 'alice', reason: 'not a known payee' });

    await page.goto(`http://127.0.0.1:${port}/#/`);
    await page.locator(`tr[data-run="${runId}"] [data-testid=state]`).filter({ hasText: 'completed' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'console-runs.png') });
  });

  it('tops up a run that waits for more budget, and it carries on', async () => {
    const { runId } = await stack.client.start('patient', 'Research six topics.');
    await waitingIn(runId);
    await page.goto(`${local.url}/#/run/${encodeURIComponent(runId)}`);
    await page.locator('[data-testid=pending][data-id=budget-1]').waitFor();
    await page.locator('[data-testid=topup-tokens]').fill('5000');
    await page.locator('[data-testid=topup-button]').click();
    await page.locator('[data-testid=topup] .outcome.ok').waitFor();
    const result = await stack.client.result(runId);
    expect(result).toMatchObject({ status: 'completed', output: 'Researched 6 topics.' });
    expect(result.budget!.limits.tokens).toBe(8_000);
  });

  it('shows the answer while the model writes it, for a run that streams', async () => {
    const { runId } = await stack.client.start('writer', 'Write about cairns.', { stream: true });
    await page.goto(`${local.url}/#/run/${encodeURIComponent(runId)}`);
    const streamed = page.locator('[data-testid=streamed]');
    await streamed.waitFor();
    const partial = (await streamed.textContent()) ?? '';
    expect(partial).toContain('Line 1 of the essay');
    expect(partial).not.toContain('Line 40 of the essay');
    expect((await stack.client.result(runId)).output).toBe(essay);
  });

  it('refuses requests without the token off loopback, changes without its header, and a loopback console addressed by another name', async () => {
    const port = new URL(exposed.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/runs`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/runs`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/api/runs`, { headers: { authorization: `Bearer ${aliceToken}` } })).status).toBe(200);
    const forged = await fetch(`http://127.0.0.1:${port}/api/runs/${leadRun}/budget`, { method: 'POST', headers: { authorization: `Bearer ${aliceToken}` }, body: '{"tokens": 1000}' });
    expect(forged.status).toBe(403);
    await expect(startConsoleServer({ client: stack.client, host: '0.0.0.0', port: 0 })).rejects.toThrow(/would listen on 0\.0\.0\.0 with no token/);

    const rebound = await new Promise<number>((done, fail) => {
      const url = new URL(`${local.url}/api/runs`);
      request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host: `evil.example:${url.port}` } }, (response) => {
        response.resume();
        done(response.statusCode ?? 0);
      })
        .on('error', fail)
        .end();
    });
    expect(rebound).toBe(403);
  });
});
