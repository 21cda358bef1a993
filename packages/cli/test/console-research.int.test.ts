/**
 * A deep-research job in the web console (headless Chromium): its phase, its
 * steps in the run tree, its sources, and the finished report with each
 * citation linked to the source it names.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { MockModelServer, startTestStack, type TestStack } from '@cairn/testing';
import { researchActivities, researchAgents, researchWorkflowModule, type ResearchResult } from '@cairn/agents';
import { researchScript, writeFixtureCorpus } from '../../../agents/deep-research/test/scripted-research.ts';
import { startConsoleServer, type ConsoleServer } from '../src/console/console-server.ts';

const screenshots = process.env.CAIRN_UPDATE_SCREENSHOTS ? resolve('docs/images') : mkdtempSync(join(tmpdir(), 'cairn-console-shots-'));
const browserPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));

describe('a research job in the web console', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let stack: TestStack;
  let console_: ConsoleServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!browserPath) throw new Error('No Chromium found: install it (apt-get install chromium; .ci/run does) or set CHROMIUM_PATH.');
    mock = await MockModelServer.start();
    mock.handle(researchScript());
    stack = await startTestStack({ agents: researchAgents({ model: 'openai:gpt-test' }), mock, workflowModules: [researchWorkflowModule], activities: researchActivities, address: inject('temporalAddress') });
    console_ = await startConsoleServer({ client: stack.client, port: 0 });
    browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await console_?.close();
    await stack?.stop();
    await mock?.close();
  });

  it('shows the phase, the steps, the sources and the report with its citations linked', async () => {
    const runId = `research-${Date.now().toString(36)}`;
    await stack.client.startWorkflow('deepResearchWorkflow', { question: 'How do tides work?', clarify: false, corpus: writeFixtureCorpus() }, { runId, agent: 'research', summary: 'How do tides work?' });
    const result = (await stack.client.result(runId)) as ResearchResult;

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${console_.url}/#/run/${encodeURIComponent(runId)}`);
    const research = page.locator('[data-testid=research]');
    await research.locator('[data-testid=report]').waitFor();
    expect(await research.textContent()).toContain('phase done');
    expect(await research.textContent()).toContain(`citations verified ${result.citations.verified} of ${result.citations.total}`);
    // The job's steps (scoping, planning, researchers, writing) are its sub-runs in the tree.
    expect(await page.locator('[data-testid=tree-node]').count()).toBeGreaterThan(2);

    const citations = research.locator('[data-testid=citation]');
    expect(await citations.count()).toBeGreaterThan(0);
    const sources = await research.locator('[data-testid=source]').allTextContents();
    expect(sources.length).toBe(result.citations.total);
    for (const href of await citations.evaluateAll((links) => links.map((link) => link.getAttribute('href')))) {
      expect(await page.locator(href!).count(), `${href} names a listed source`).toBe(1);
    }
    await page.screenshot({ path: join(screenshots, 'console-research.png'), fullPage: true });
  });
});
