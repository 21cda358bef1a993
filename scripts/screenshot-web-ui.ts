/**
 * Screenshots of a Cairn run in the Temporal Web UI, taken with headless Chromium:
 * what a person sees when someone sends them the link to a run. The run pays an
 * invoice after a sub-agent looks it up, and waits for approval on the way.
 *
 *   node --import tsx scripts/screenshot-web-ui.ts [output folder, default docs/images]
 *
 * Needs Chromium (`apt-get install chromium`, or CHROMIUM_PATH).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { z } from 'zod';
import { MockModelServer, eventually, startTestStack, toolResults, type MockRequest, type ScriptedReply } from '@cairn/testing';
import { defineAgent, defineTool } from '@cairn/core';
import { startDevServer } from '@cairn/dev-server';

const outDir = resolve(process.argv[2] ?? 'docs/images');
const browserPath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((path) => existsSync(path));
if (!browserPath) {
  console.error('error: no Chromium found.\nhint: install it (apt-get install chromium) or set CHROMIUM_PATH.');
  process.exit(1);
}

const pay = defineTool({
  name: 'pay',
  description: 'Pays an invoice.',
  input: z.object({ invoice: z.string(), amount: z.number() }),
  needsApproval: true,
  execute: ({ invoice, amount }) => `paid ${amount} EUR on ${invoice}`,
});
const clerk = defineAgent({ name: 'clerk', model: 'openai:gpt-4.1-mini', instructions: 'Look things up in the books.' });
const accountant = defineAgent({ name: 'accountant', model: 'openai:gpt-4.1', instructions: 'Pay what is due.', tools: [pay], subAgents: [clerk], budget: { tokens: 200_000 } });

function model(request: MockRequest): ScriptedReply {
  const usage = { inputTokens: 900, outputTokens: 60 };
  if (request.system === 'Look things up in the books.') return { text: 'Invoice INV-2026-117 from Northwind is due on Friday: 1,240 EUR.', usage };
  const results = toolResults(request);
  if (results.length === 0) return { toolCalls: [{ name: 'delegate_to_clerk', arguments: { task: 'Which supplier invoice is due this week, and for how much?' } }], usage };
  if (results.length === 1) return { toolCalls: [{ name: 'pay', arguments: { invoice: 'INV-2026-117', amount: 1240 } }], usage };
  return { text: 'Paid INV-2026-117 (1,240 EUR to Northwind).', usage };
}

const server = await startDevServer({ onProgress: (line) => console.error(line) });
const mock = await MockModelServer.start();
mock.handle(model);
const stack = await startTestStack({ agents: [accountant, clerk], mock, address: server.address });
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox'] });
try {
  mkdirSync(outDir, { recursive: true });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  const { runId } = await stack.client.start('accountant', 'Pay whatever supplier invoice is due this week.');
  const runUrl = `${server.uiUrl}/namespaces/default/workflows/${encodeURIComponent(runId)}`;

  await eventually(async () => ((await stack.client.pending(runId)).length > 0 ? true : undefined), 'the approval');
  await shoot(page, runUrl, 'check before approval', `${outDir}/web-ui-waiting.png`, 'User Metadata');

  await stack.client.decide(runId, { approved: true });
  await stack.client.result(runId);
  await shoot(page, runUrl, 'runTool', `${outDir}/web-ui-run.png`);
  console.log(`Screenshots of ${runUrl} in ${outDir}: web-ui-waiting.png, web-ui-run.png`);
} finally {
  await browser.close();
  await stack.stop();
  await mock.close();
  await server.stop();
}

/** Opens the run's page (and a tab of it), waits until `text` shows (the UI renders after its queries), and screenshots it. */
async function shoot(page: Page, url: string, text: string, path: string, tab?: string): Promise<void> {
  await page.goto(url);
  if (tab) await page.getByRole('tab', { name: tab }).or(page.getByText(tab, { exact: true })).first().click();
  await page.getByText(text).first().waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
    await page.screenshot({ path, fullPage: true });
    throw new Error(`The run's page never showed "${text}" (what it showed is in ${path}).`, { cause: error });
  });
  await page.waitForTimeout(1_000); // let the timeline finish drawing
  await page.screenshot({ path, fullPage: true });
}
