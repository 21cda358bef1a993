import { readFile } from 'node:fs/promises';
import { AmbiguousPendingError, CairnError, type InboxItem, type PendingItem } from '@cairn/core';
import { describePending } from '@cairn/core/internals';
import { openSession, type Session } from '../session.ts';
import { ask } from '../prompt.ts';
import { bold, dim, green, printJson, terminalSafe, yellow } from '../print.ts';

function age(askedAt: number): string {
  const seconds = Math.max(0, Math.round((Date.now() - askedAt) / 1000));
  if (seconds < 90) return `${seconds}s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)}m`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)}h`;
  return `${Math.round(seconds / 86400)}d`;
}

export function formatItem(item: PendingItem): string {
  if (item.kind === 'question') {
    const choices = item.choices ? dim(` [${item.choices.map(terminalSafe).join(' / ')}]`) : '';
    return `${bold('question')} ${terminalSafe(item.id)}: ${terminalSafe(item.question)}${choices}`;
  }
  if (item.kind === 'approval') return `${bold('approval')} ${terminalSafe(item.id)}: ${terminalSafe(item.tool)}(${JSON.stringify(item.arguments)})`;
  const left = Math.max(0, item.timeoutAt - Date.now());
  return `${bold('async call')} ${terminalSafe(item.id)}: ${terminalSafe(item.tool)}(${terminalSafe(JSON.stringify(item.arguments) ?? '')}) ${dim(`waiting for its result, ${left > 0 ? `times out in ${age(Date.now() - left)}` : 'timing out'}`)}`;
}

/** `cairn inbox`: every question and approval waiting for a person, across all runs, oldest first. */
export async function inboxCommand(options: { json?: boolean }): Promise<number> {
  const session = await openSession();
  try {
    const items = await session.client.inbox();
    if (options.json) {
      printJson(items);
      return 0;
    }
    if (items.length === 0) console.log(dim('Nothing is waiting for you.'));
    const told = new Set<string>();
    for (const item of items) {
      printInboxItem(item);
      // A run's rejections once, under its first item: an answer that was not taken must not pass unseen.
      if (item.rejected && !told.has(item.runId)) {
        told.add(item.runId);
        for (const rejection of item.rejected) console.log(yellow(`  rejected ${terminalSafe(rejection.message)}`));
      }
    }
    return 0;
  } finally {
    await session.close();
  }
}

function printInboxItem(item: InboxItem): void {
  const where = `${item.runId}${item.agent ? ` (${item.agent})` : ''}${item.parentRunId ? dim(` ← sub-agent of ${item.parentRunId}`) : ''}`;
  console.log(`${where}  ${dim(age(item.askedAt) + ' ago')}`);
  console.log(`  ${formatItem(item)}`);
}

/**
 * Runs `act` with the id given, or the only one pending; with several and no
 * id, asks which on the terminal (or fails listing them when nobody is there).
 */
async function withChosen<T>(act: (id: string | undefined) => Promise<T>): Promise<T> {
  try {
    return await act(undefined);
  } catch (error) {
    if (!(error instanceof AmbiguousPendingError) || !process.stdin.isTTY) throw error;
    error.candidates.forEach((item, index) => console.error(`  ${index + 1}) ${describePending(item)}`));
    const choice = await ask(`Which one (1-${error.candidates.length})? `);
    const picked = error.candidates[Number(choice) - 1];
    if (!picked) throw new CairnError('No item chosen; nothing was sent.');
    return act(picked.id);
  }
}

export async function answerCommand(runId: string, text: string, options: { question?: string }): Promise<number> {
  const session = await openSession();
  try {
    const question = await withChosen((id) => session.client.answer(runId, text, options.question ?? id));
    if (question.delivery === 'confirmed') console.log(`${green('✓')} Answered ${question.id} of ${runId}.`);
    else console.log(queuedNote(`The answer to ${question.id}`, runId));
    return 0;
  } finally {
    await session.close();
  }
}

export async function decideCommand(runId: string, approved: boolean, options: { call?: string; reason?: string; args?: string }): Promise<number> {
  let edited: unknown;
  if (options.args !== undefined) {
    try {
      edited = JSON.parse(options.args);
    } catch (error) {
      throw new CairnError(`--args is not valid JSON: ${(error as Error).message}`, { hint: `For example: --args '{"amount": 10}'` });
    }
  }
  const session = await openSession();
  try {
    const call = await withChosen((id) => session.client.decide(runId, { callId: options.call ?? id, approved, reason: options.reason, arguments: edited }));
    if (call.delivery === 'confirmed') console.log(`${green('✓')} ${approved ? 'Approved' : 'Denied'} ${call.id} of ${runId}.`);
    else console.log(queuedNote(`The ${approved ? 'approval' : 'denial'} of ${call.id}`, runId));
    return 0;
  } finally {
    await session.close();
  }
}

/** `cairn complete`: hands an asynchronous tool call its result, or its failure; no worker needs to run. */
export async function completeCommand(runId: string, callId: string, options: { result?: string; resultFile?: string; fail?: string }): Promise<number> {
  const given = [options.result, options.resultFile, options.fail].filter((option) => option !== undefined).length;
  if (given !== 1) throw new CairnError('Give exactly one of --result <json>, --result-file <path> or --fail <message>.', { hint: `For example: cairn complete ${runId} ${callId} --result '{"status": "closed"}'` });
  let outcome: { result: unknown } | { error: string };
  if (options.fail !== undefined) outcome = { error: options.fail };
  else {
    const text = options.result ?? (await readFile(options.resultFile!, 'utf8').catch((error: Error) => {
      throw new CairnError(`Cannot read --result-file: ${error.message}`);
    }));
    try {
      outcome = { result: JSON.parse(text) };
    } catch (error) {
      throw new CairnError(`The result is not valid JSON: ${(error as Error).message}`, { hint: `Quote text as JSON: --result '"all done"'` });
    }
  }
  const session = await openSession();
  try {
    const call = await session.client.completeToolCall(runId, callId, outcome);
    console.log(`${green('✓')} ${'error' in outcome ? 'Failed' : 'Completed'} ${call.id} of ${runId}${call.kind === 'async_call' ? ` (${terminalSafe(call.tool)})` : ''}.`);
    return 0;
  } finally {
    await session.close();
  }
}

/** Said when no worker could confirm: the answer waits in the run's history and is checked when a worker runs. */
function queuedNote(what: string, runId: string): string {
  return `${yellow('…')} ${what} of ${runId} is queued: no worker is running to check it now. It is checked when one runs; 'cairn status ${runId}' shows whether it was taken.`;
}

/**
 * While `cairn run` follows a run in the foreground, asks the person at the
 * terminal each question or approval raised in the run's tree. An item
 * resolved from another terminal withdraws its prompt.
 */
export function promptForPending(session: Session, runId: string, onPrompt: (active: boolean) => void = () => {}): () => void {
  let stopped = false;
  const prompted = new Set<string>();
  let current: { id: string; abort: AbortController } | undefined;
  // An asynchronous call waits for a system, not for the person at this terminal.
  const inTree = (item: InboxItem) => item.kind !== 'async_call' && (item.runId === runId || item.runId.startsWith(`${runId}.`));

  const loop = async () => {
    while (!stopped) {
      try {
        const items = (await session.client.inbox()).filter(inTree);
        if (current && !items.some((item) => item.id === current!.id)) current.abort.abort();
        const next = current ? undefined : items.find((item) => !prompted.has(`${item.runId}/${item.id}`));
        if (next) {
          prompted.add(`${next.runId}/${next.id}`);
          void respond(next);
        }
      } catch {
        // Listing can fail for a moment; the next tick tries again.
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  };

  const respond = async (item: InboxItem) => {
    const abort = new AbortController();
    current = { id: item.id, abort };
    onPrompt(true);
    console.error(`\n${yellow('?')} ${item.runId === runId ? '' : dim(`[${item.agent ?? item.runId}] `)}${formatItem(item)}`);
    const reply = await ask(item.kind === 'question' ? 'Your answer: ' : 'Approve? [y/N] ', abort.signal);
    current = undefined;
    onPrompt(false);
    if (reply === undefined) {
      if (abort.signal.aborted) console.error(dim('(resolved elsewhere)'));
      return;
    }
    try {
      if (item.kind === 'question') await session.client.answer(item.runId, reply, item.id);
      else await session.client.decide(item.runId, { callId: item.id, approved: /^y(es)?$/i.test(reply.trim()) });
    } catch (error) {
      console.error(dim((error as Error).message));
    }
  };

  void loop();
  return () => {
    stopped = true;
    current?.abort.abort();
  };
}
