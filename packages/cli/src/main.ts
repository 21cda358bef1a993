import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { printError } from './print.ts';
import { runCommand } from './commands/run.ts';
import { cancelCommand, listCommand, statusCommand } from './commands/inspect.ts';
import { downCommand, serverStartCommand, serverStatusCommand, serverStopCommand, upCommand } from './commands/stack.ts';
import { workerCommand } from './commands/worker.ts';
import { codecServerCommand } from './commands/codec-server.ts';
import { showCommand } from './commands/show.ts';
import { answerCommand, decideCommand, inboxCommand } from './commands/human.ts';
import { budgetAddCommand } from './commands/budget.ts';
import { reportCommand, researchCommand, watchCommand } from './commands/research.ts';
import { parseBudgetAmount } from '@cairn/core/internals';

function tokenAmount(value: string): number {
  const amount = parseBudgetAmount(value);
  if (amount?.tokens === undefined) throw new InvalidArgumentError('expected tokens such as 50000, 200k or 1.5M.');
  return amount.tokens;
}

function dollars(value: string): number {
  const parsed = Number(value.replace(/^\$/, ''));
  if (!(parsed > 0)) throw new InvalidArgumentError('expected a positive amount of USD such as 2 or 0.5.');
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError('expected a positive integer.');
  return parsed;
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number, 0 or more.');
  return parsed;
}

export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('cairn')
    .description('Durable AI agents on Temporal: runs that survive crashes, wait for people and stay within budget.')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const done = (action: Promise<number | void>) => action.then((code) => setExitCode(code ?? 0));

  program
    .command('up')
    .description('start the embedded Temporal server and a worker in the background')
    .option('-c, --config <path>', 'config file (default: ./cairn.config.ts, else the built-in agents)')
    .action((options) => done(upCommand(options)));
  program.command('down').description('stop the background worker and the embedded Temporal server').action(() => done(downCommand()));

  const server = program.command('server').description('the embedded Temporal dev server alone');
  server.command('start').description('start it in the background').action(() => done(serverStartCommand()));
  server.command('stop').description('stop it').action(() => done(serverStopCommand()));
  server.command('status').description('is it running?').option('--json', 'machine-readable output').action((options) => done(serverStatusCommand(options)));

  program
    .command('codec-server')
    .description("decrypt this stack's history for the Temporal Web UI until Ctrl-C")
    .option('-p, --port <port>', 'port (default: the one the embedded Web UI expects, else 8234)', positiveInteger)
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--origin <url...>', "the Web UI's origin(s) allowed to call it (default: the embedded UI, or TEMPORAL_UI_URL)")
    .option('--token <token>', 'require this bearer token on every call')
    .action((options) => done(codecServerCommand(options)));

  program
    .command('worker')
    .description('run a worker in the foreground (Ctrl-C stops it)')
    .option('-c, --config <path>', 'config file (default: ./cairn.config.ts, else the built-in agents)')
    .option('-q, --task-queue <name>', 'task queue (default: cairn)')
    .option('--max-concurrent-activities <n>', 'model and tool calls in flight at once (default 100, or CAIRN_MAX_CONCURRENT_ACTIVITIES)', positiveInteger)
    .action((options) => done(workerCommand(options)));

  program
    .command('run')
    .description('start a run of an agent and follow it to its answer')
    .argument('<agent>', 'agent name')
    .argument('[input]', "what to ask the agent ('-' reads it from standard input)")
    .option('--input-file <path>', 'read the input from this file')
    .option('-c, --config <path>', 'config file (default: ./cairn.config.ts, else the built-in agents)')
    .option('--wait', 'follow the run until it ends (the default)')
    .option('-d, --detach', 'print the run id and return at once')
    .option('--json', 'machine-readable output')
    .option('--max-turns <n>', 'override the agent’s turn limit', positiveInteger)
    .option('-q, --task-queue <name>', 'task queue (default: cairn)')
    .option('--budget <tokens>', 'token budget of the run (200k, 1.5M, ...)', tokenAmount)
    .option('--max-usd <usd>', 'cost budget of the run in USD', dollars)
    .option('--no-prompt', 'do not ask questions and approvals on this terminal')
    .option('--unattended', 'nobody will answer: questions get "no human available" at once')
    .action((agent, input, options) => done(runCommand(agent, input, options)));

  program
    .command('research')
    .description('start a deep-research job: it asks what it needs, researches in parallel and writes a cited report')
    .argument('<question>')
    .option('--corpus <dir>', 'research this folder of .md, .txt and .html files instead of the web')
    .option('--budget <tokens>', 'token budget of the whole job (default 400k)', tokenAmount)
    .option('--model <provider:model>', 'model for every agent of the job')
    .option('--no-clarify', 'ask no clarifying questions')
    .option('-o, --out <file>', 'save the report to this file')
    .option('-d, --detach', 'start it and return at once')
    .option('-c, --config <path>', 'config file for the worker this may start')
    .option('--json', 'machine-readable output: the run id (with --detach), else the outcome once done')
    .action((question, options) => done(researchCommand(question, options)));
  program
    .command('watch')
    .description('follow a research job live (Ctrl-C leaves the view; the job keeps running)')
    .argument('<runId>')
    .option('-o, --out <file>', 'save the report to this file when it is done')
    .option('--json', 'no live view: the outcome as JSON once the job is done')
    .action((runId, options) => done(watchCommand(runId, options)));
  program
    .command('report')
    .description('print or save the report of a finished research job')
    .argument('<runId>')
    .option('-o, --out <file>', 'save it to this file')
    .option('--json', 'the outcome and the report as JSON')
    .action((runId, options) => done(reportCommand(runId, options)));

  program
    .command('budget')
    .description("a run's budget")
    .command('add')
    .description('top a run up: 200k adds tokens, $2 adds USD')
    .argument('<runId>')
    .argument('<amount>')
    .action((runId, amount) => done(budgetAddCommand(runId, amount)));

  program
    .command('inbox')
    .description('questions and approvals waiting for a person, across all runs and sub-agents')
    .option('--json', 'machine-readable output')
    .action((options) => done(inboxCommand(options)));
  program
    .command('answer')
    .description("answer a run's pending question")
    .argument('<runId>')
    .argument('<text>', 'the answer')
    .option('--question <id>', 'which question, when several are pending')
    .action((runId, text, options) => done(answerCommand(runId, text, options)));
  program
    .command('approve')
    .description('approve a pending tool call')
    .argument('<runId>')
    .option('--call <id>', 'which call, when several are pending')
    .option('--args <json>', 'run the call with these arguments instead')
    .action((runId, options) => done(decideCommand(runId, true, options)));
  program
    .command('deny')
    .description('deny a pending tool call; the model is told')
    .argument('<runId>')
    .option('--call <id>', 'which call, when several are pending')
    .option('--reason <text>', 'why, for the model')
    .action((runId, options) => done(decideCommand(runId, false, options)));

  program
    .command('status')
    .description('the state, turn and token usage of a run')
    .argument('<runId>')
    .option('--json', 'machine-readable output')
    .action((runId, options) => done(statusCommand(runId, options)));
  program
    .command('show')
    .description('a run turn by turn: what the model said, each tool call and result, answers, approvals, sub-agents')
    .argument('<runId>')
    .option('--json', 'machine-readable output')
    .option('--full', 'unfold long values')
    .option('--depth <n>', 'levels of sub-agents to include (default 1)', nonNegativeInteger)
    .action((runId, options) => done(showCommand(runId, options)));
  program
    .command('list')
    .description('recent runs')
    .option('--json', 'machine-readable output')
    .option('-n, --limit <n>', 'how many', positiveInteger)
    .action((options) => done(listCommand(options)));
  program
    .command('cancel')
    .description('cancel a run')
    .argument('<runId>')
    .action((runId) => done(cancelCommand(runId)));
  return program;
}

/** Runs the CLI and returns its exit code: 0 success, 1 error, 2 run ended without an answer. */
export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = buildProgram((code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    printError(error);
    return 1;
  }
}
