import { readFile } from 'node:fs/promises';
import { CairnError, type RunStatus } from '@cairn/core';
import { loadCliConfig } from '../config.ts';
import { openSession } from '../session.ts';
import { bold, dim, formatTokens, green, printJson, terminalSafe, yellow } from '../print.ts';
import { checkApiKey } from '../api-keys.ts';
import { isEmbedded } from '@cairn/core/temporal';
import { promptForPending } from './human.ts';
import type { StackBringUp } from '../stack.ts';
import { followStream } from '../follow-stream.ts';
import { pollUntilStopped } from '../poll.ts';
import { jsonInput } from '../agent-input.ts';

export interface RunCommandOptions {
  config?: string;
  detach?: boolean;
  json?: boolean;
  maxTurns?: number;
  taskQueue?: string;
  /** false with --no-prompt: never ask on this terminal. */
  prompt?: boolean;
  unattended?: boolean;
  budget?: number;
  maxUsd?: number;
  inputFile?: string;
}

/** The run's input: the argument, a file (--input-file), or standard input ('-'); never empty. */
async function readInput(argument: string | undefined, inputFile: string | undefined): Promise<string> {
  if (argument !== undefined && inputFile !== undefined) throw new CairnError('Give the input once: as an argument or with --input-file, not both.');
  let input: string;
  if (inputFile !== undefined) {
    try {
      input = await readFile(inputFile, 'utf8');
    } catch (error) {
      throw new CairnError(`Cannot read --input-file ${inputFile}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}.`, {
        hint: 'Check the path.',
      });
    }
  } else if (argument === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    input = Buffer.concat(chunks).toString('utf8');
  } else {
    input = argument ?? '';
  }
  if (input.trim() === '') {
    throw new CairnError(`The input is empty${inputFile ? ` (${inputFile})` : argument === '-' ? ' (nothing came on standard input)' : ''}: the agent has nothing to do.`, {
      hint: `Say what it should do: cairn run <agent> "<task>", or --input-file <path>, or '-' to read standard input.`,
    });
  }
  return input;
}

/** `cairn run <agent> "<input>"`: starts a run, then (unless --detach) follows it to its answer. */
export async function runCommand(agentName: string, inputArgument: string | undefined, options: RunCommandOptions, stack?: StackBringUp): Promise<number> {
  const input = await readInput(inputArgument, options.inputFile);
  const { config, path } = await loadCliConfig(options.config);
  const agent = config.agents.find((candidate) => candidate.name === agentName);
  if (!agent) {
    throw new CairnError(`Unknown agent '${agentName}'. Served agents: ${config.agents.map((a) => a.name).join(', ')}.`, {
      hint: path ? `Check the agents in ${path}.` : 'Define your own agents in cairn.config.ts, or pass --config <path>.',
    });
  }
  // Remote workers have their own environment; only the embedded one shares this shell's.
  if (isEmbedded()) checkApiKey(agent.spec.model, config);

  const session = await openSession({ bringUp: { configPath: path, early: stack }, taskQueue: options.taskQueue ?? config.taskQueue, blobStore: config.blobStore });
  try {
    // The embedded stack brings its worker up for this queue; on a cluster, nobody may poll it.
    if (!session.embedded && !(await session.client.hasWorkers())) {
      throw new CairnError(`No worker polls task queue '${session.client.taskQueue}', so the run would wait at 'starting' forever. Nothing was started.`, {
        hint: `Start one with 'cairn worker --task-queue ${session.client.taskQueue}', or pass the --task-queue your workers serve.`,
      });
    }
    const runOptions = {
      maxTurns: options.maxTurns,
      unattended: options.unattended,
      // Streamed only while this command follows the run in a terminal.
      stream: !options.detach && !options.json,
      budget: {
        ...(options.budget !== undefined ? { tokens: options.budget } : {}),
        ...(options.maxUsd !== undefined ? { usd: options.maxUsd } : {}),
      },
    };
    // An agent with an input schema takes JSON, checked against the schema before anything starts.
    const { runId, uiUrl } = agent.input ? await session.client.start(agent, jsonInput(agent, input), runOptions) : await session.client.start(agentName, input, runOptions);
    if (options.json && options.detach) {
      printJson({ runId, uiUrl });
      return 0;
    }
    if (!options.json) {
      console.log(`${bold('Run')} ${runId}`);
      if (uiUrl) console.log(`${dim('Temporal UI')} ${uiUrl}`);
    }
    if (options.detach) {
      console.log(dim(`Follow it with 'cairn status ${runId}'.`));
      return 0;
    }
    // The answer is shown as the model writes it; the run streams only because someone follows it here.
    const stream = options.json ? undefined : followStream(session.client, runId);
    const stopProgress = options.json ? () => {} : followProgress(session.client.status.bind(session.client), runId, () => stream?.breakLine());
    const stopPrompting = options.prompt === false ? () => {} : promptForPending(session, runId);
    const stopFollowing = () => {
      stopProgress();
      stopPrompting();
      return stream?.stop();
    };
    try {
      const result = await session.client.result(runId);
      const streamed = stopFollowing();
      if (options.json) {
        printJson(result);
      } else {
        const answer = result.value === undefined ? result.output : JSON.stringify(result.value, null, 2);
        // Already on screen as it was written: only what the last heartbeat had not yet carried is printed.
        const warning = endingWarning(result);
        if (streamed?.whole && streamed.turn === result.turns && streamed.text !== '' && answer.startsWith(streamed.text)) {
          console.log(`${terminalSafe(answer.slice(streamed.text.length))}\n`);
          if (warning) console.log(yellow(warning));
        } else {
          stream?.breakLine();
          if (warning) console.log(yellow(warning));
          console.log(`\n${terminalSafe(answer)}\n`);
        }
        const cost = result.costUsd ? ` · $${result.costUsd.toFixed(4)}` : '';
        console.log(dim(`${green('✓')} ${result.turns} turn${result.turns === 1 ? '' : 's'} · ${formatTokens(result.usage.inputTokens)} in / ${formatTokens(result.usage.outputTokens)} out tokens${cost}`));
      }
      return result.status === 'completed' ? 0 : 2;
    } finally {
      stopFollowing();
    }
  } finally {
    await session.close();
  }
}

/** What the person must know when a run ended without a complete answer. */
function endingWarning(result: { status: string; turns: number; exhaustedLimit?: string }): string | undefined {
  switch (result.status) {
    case 'max_turns':
      return `Stopped after ${result.turns} turn${result.turns === 1 ? '' : 's'} (the turn limit) before a final answer.`;
    case 'truncated':
      return 'The answer was cut off at the output limit and could not be continued: it is incomplete. Raise maxOutputTokens or the budget.';
    case 'budget_exhausted':
      return `The ${result.exhaustedLimit} budget ran out: this is a partial result.`;
    default:
      return undefined;
  }
}

/** Prints a line whenever the run moves on: a new turn, tool calls starting or finishing. */
function followProgress(status: (runId: string) => Promise<RunStatus>, runId: string, beforeLine: () => void): () => void {
  let last = '';
  return pollUntilStopped(async () => {
    const current = await status(runId);
    const tools = current.toolCalls.map((call) => `${call.name}${call.state === 'running' ? '…' : call.state === 'error' ? ' ✗' : ' ✓'}`).join(', ');
    // The status counts finished turns: a model call under way makes the next one.
    const turn = current.state === 'calling_model' || current.state === 'wrapping_up' ? current.turn + 1 : current.turn;
    const line = `turn ${turn} · ${current.state.replace('_', ' ')}${current.state === 'running_tools' && tools ? ` · ${tools}` : ''}`;
    if (line !== last) {
      beforeLine();
      console.error(dim(line));
    }
    last = line;
  }, 1000);
}
