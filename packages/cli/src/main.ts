import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { parseBudgetAmount } from '@cairn/core/budget';

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

const ageUnits: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `1w` as milliseconds. */
function age(value: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('expected an age such as 30d, 12h, 90m or 1w.');
  return Number(match[1]) * ageUnits[match[2]!]!;
}

/**
 * `run` and `research` start the embedded server and worker first: their own modules take
 * most of a second to load, and the stack comes up meanwhile.
 */
async function startStackEarly(options: { config?: string; taskQueue?: string }) {
  const [{ bringUpStack }, { dim }] = await Promise.all([import('./stack.ts'), import('./print.ts')]);
  return bringUpStack(options, (line) => console.error(dim(line)));
}

/** Each command loads its module when it runs, so `cairn --help` loads none of them. */
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
    .action(async (options) => done((await import('./commands/stack.ts')).upCommand(options)));
  program.command('down').description('stop the background worker and the embedded Temporal server').action(async () => done((await import('./commands/stack.ts')).downCommand()));

  const server = program.command('server').description('the embedded Temporal dev server alone');
  server.command('start').description('start it in the background').action(async () => done((await import('./commands/stack.ts')).serverStartCommand()));
  server.command('stop').description('stop it').action(async () => done((await import('./commands/stack.ts')).serverStopCommand()));
  server.command('status').description('is it running?').option('--json', 'machine-readable output').action(async (options) => done((await import('./commands/stack.ts')).serverStatusCommand(options)));

  program
    .command('doctor')
    .description('check this machine can start, serve and read runs: Temporal, search attributes, workers, blob store, keys')
    .option('-c, --config <path>', 'config file (default: ./cairn.config.ts, else the built-in agents)')
    .option('-q, --task-queue <name>', 'task queue whose workers to look for (default: cairn)')
    .option('--call-model', 'make a tiny real call to each model the agents use')
    .option('--json', 'machine-readable output')
    .action(async (options) => done((await import('./commands/doctor.ts')).doctorCommand(options)));

  program
    .command('gc')
    .description('delete the blobs that only runs closed before a time reach')
    .requiredOption('--older-than <age>', 'runs closed longer ago than this, such as 30d, 12h, 1w', age)
    .option('--dry-run', 'report what would be deleted, and delete nothing')
    .option('-c, --config <path>', 'config file whose blobStore to collect (default: ./cairn.config.ts, else CAIRN_BLOB_STORE)')
    .option('--json', 'machine-readable output')
    .action(async (options) => done((await import('./commands/gc.ts')).gcCommand(options)));

  program
    .command('codec-server')
    .description("decrypt this stack's history for the Temporal Web UI until Ctrl-C")
    .option('-p, --port <port>', 'port (default: the one the embedded Web UI expects, else 8234)', positiveInteger)
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--origin <url...>', "the Web UI's origin(s) allowed to call it (default: the embedded UI, or TEMPORAL_UI_URL)")
    .option('--token <token>', 'require this bearer token on every call')
    .action(async (options) => done((await import('./commands/codec-server.ts')).codecServerCommand(options)));

  program
    .command('worker')
    .description('run a worker in the foreground (Ctrl-C stops it)')
    .option('-c, --config <path>', 'config file (default: ./cairn.config.ts, else the built-in agents)')
    .option('-q, --task-queue <name>', 'task queue (default: cairn)')
    .option('--max-concurrent-activities <n>', 'model and tool calls in flight at once (default 100, or CAIRN_MAX_CONCURRENT_ACTIVITIES)', positiveInteger)
    .action(async (options) => done((await import('./commands/worker.ts')).workerCommand(options)));

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
    .action(async (agent, input, options) => {
      const stack = await startStackEarly(options);
      return done((await import('./commands/run.ts')).runCommand(agent, input, options, stack));
    });

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
    .action(async (question, options) => {
      const stack = await startStackEarly(options);
      return done((await import('./commands/research.ts')).researchCommand(question, options, stack));
    });
  program
    .command('watch')
    .description('follow a research job live (Ctrl-C leaves the view; the job keeps running)')
    .argument('<runId>')
    .option('-o, --out <file>', 'save the report to this file when it is done')
    .option('--json', 'no live view: the outcome as JSON once the job is done')
    .action(async (runId, options) => done((await import('./commands/research.ts')).watchCommand(runId, options)));
  program
    .command('report')
    .description('print or save the report of a finished research job')
    .argument('<runId>')
    .option('-o, --out <file>', 'save it to this file')
    .option('--json', 'the outcome and the report as JSON')
    .action(async (runId, options) => done((await import('./commands/research.ts')).reportCommand(runId, options)));

  program
    .command('budget')
    .description("a run's budget")
    .command('add')
    .description('top a run up: 200k adds tokens, $2 adds USD')
    .argument('<runId>')
    .argument('<amount>')
    .action(async (runId, amount) => done((await import('./commands/budget.ts')).budgetAddCommand(runId, amount)));

  program
    .command('inbox')
    .description('questions and approvals waiting for a person, across all runs and sub-agents')
    .option('--json', 'machine-readable output')
    .action(async (options) => done((await import('./commands/human.ts')).inboxCommand(options)));
  program
    .command('answer')
    .description("answer a run's pending question")
    .argument('<runId>')
    .argument('<text>', 'the answer')
    .option('--question <id>', 'which question, when several are pending')
    .action(async (runId, text, options) => done((await import('./commands/human.ts')).answerCommand(runId, text, options)));
  program
    .command('approve')
    .description('approve a pending tool call')
    .argument('<runId>')
    .option('--call <id>', 'which call, when several are pending')
    .option('--args <json>', 'run the call with these arguments instead')
    .action(async (runId, options) => done((await import('./commands/human.ts')).decideCommand(runId, true, options)));
  program
    .command('deny')
    .description('deny a pending tool call; the model is told')
    .argument('<runId>')
    .option('--call <id>', 'which call, when several are pending')
    .option('--reason <text>', 'why, for the model')
    .action(async (runId, options) => done((await import('./commands/human.ts')).decideCommand(runId, false, options)));

  program
    .command('complete')
    .description('hand an asynchronous tool call its result (or --fail it); the run carries on')
    .argument('<runId>')
    .argument('<callId>', "the call, as 'cairn inbox' lists it")
    .option('--result <json>', 'the result, as JSON (text in quotes)')
    .option('--result-file <path>', 'read the JSON result from this file')
    .option('--fail <message>', 'fail the call; the model is told this')
    .action(async (runId, callId, options) => done((await import('./commands/human.ts')).completeCommand(runId, callId, options)));
  program
    .command('serve')
    .description('serve one of Cairn’s endpoints in the foreground (Ctrl-C stops it)')
    .command('callbacks')
    .description('take results of asynchronous tool calls over HTTP, each with its own token')
    .option('-p, --port <port>', 'port (default 7790)', positiveInteger)
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .action(async (options) => done((await import('./commands/serve-callbacks.ts')).serveCallbacksCommand(options)));

  program
    .command('ui')
    .description('serve the web console: runs, their transcripts, and the inbox to answer and approve from')
    .option('-p, --port <port>', 'port (default 7780)', positiveInteger)
    .option('--host <address>', 'address to listen on (default 127.0.0.1; any other needs CAIRN_UI_TOKEN)')
    .option('--open', 'open it in a browser')
    .option('-q, --task-queue <name>', 'task queue (default: cairn)')
    .action(async (options) => done((await import('./commands/ui.ts')).uiCommand(options)));
  program
    .command('mcp')
    .description('serve Cairn over MCP on stdio: start runs, follow them, answer their questions and approvals')
    .option('-c, --config <path>', 'config file (default: ./cairn.config.ts, else the built-in agents)')
    .option('-q, --task-queue <name>', 'task queue (default: cairn)')
    .action(async (options) => done((await import('./commands/mcp.ts')).mcpCommand(options)));

  program
    .command('status')
    .description('the state, turn and token usage of a run')
    .argument('<runId>')
    .option('--json', 'machine-readable output')
    .action(async (runId, options) => done((await import('./commands/inspect.ts')).statusCommand(runId, options)));
  program
    .command('show')
    .description('a run turn by turn: what the model said, each tool call and result, answers, approvals, sub-agents')
    .argument('<runId>')
    .option('--json', 'machine-readable output')
    .option('--full', 'unfold long values')
    .option('--depth <n>', 'levels of sub-agents to include (default 1)', nonNegativeInteger)
    .option('--execution <id>', 'one Temporal execution of the run, such as the one a rewind left behind')
    .action(async (runId, options) => done((await import('./commands/show.ts')).showCommand(runId, options)));
  program
    .command('stats')
    .description('where time, failures, tokens and money go: per tool, agent and model, from the histories of the runs')
    .option('--agent <name>', 'only runs of this agent')
    .option('--since <age>', 'only runs open, or closed within this age, such as 7d or 12h', age)
    .option('--tool <name>', 'only this tool in the tool figures')
    .option('--json', 'machine-readable output')
    .action(async (options) => done((await import('./commands/stats.ts')).statsCommand(options)));
  program
    .command('eval')
    .description('run an eval suite: each case a durable run, scored; compare with a baseline report')
    .argument('<suite>', 'a module whose default export is defineSuite({...}), such as evals/orders/suite.ts')
    .option('--model <provider:model>', 'run every case on this model instead of the agent\'s own')
    .option('--concurrency <n>', 'cases running at once (default 4)', positiveInteger)
    .option('--suite-id <id>', 'resume the suite run of this id: finished cases are not run again')
    .option('--baseline <file>', 'a report from an earlier run (--out x.json): exit 1 when the pass rate or mean score falls by more than --max-drop')
    .option('--max-drop <share>', 'how far the pass rate or mean score may fall below the baseline (default 0.05)', Number)
    .option('--out <file>', 'write the report: Markdown when it ends in .md, else JSON')
    .option('--versus <suite>', 'an experiment: run the same cases with this suite (another agent version or prompt) too, side by side')
    .option('--versus-model <provider:model>', 'an experiment: run the suite on this model too, side by side')
    .option('--config <path>', 'the config whose agents the workers serve')
    .option('--task-queue <name>', 'the task queue the workers poll')
    .option('--json', 'machine-readable output')
    .action(async (suite, options) => done((await import('./commands/eval.ts')).evalCommand(suite, options)));
  program
    .command('rewind')
    .description('reset a run to the end of a turn, or every run a bad build touched, so the workers running now go on from there')
    .argument('[runId]', 'the root run to rewind (with --to-turn)')
    .option('--to-turn <n>', 'keep turns 1 to n; turn n+1 runs again (0: from the first model call)', nonNegativeInteger)
    .option('--bad-build <buildId>', 'rewind every run that took a step on this build to just before its first')
    .option('--agent <name>', 'with --bad-build: only runs of this agent')
    .option('--since <age>', 'with --bad-build: runs open, or closed within this age (default 7d)', age)
    .option('--reason <text>', 'why, recorded in the history')
    .option('--dry-run', 'show where each run would be reset, and change nothing')
    .option('--json', 'machine-readable output')
    .action(async (runId, options) => done((await import('./commands/rewind.ts')).rewindCommand(runId, options)));
  program
    .command('list')
    .description('recent runs')
    .option('--json', 'machine-readable output')
    .option('-n, --limit <n>', 'how many', positiveInteger)
    .action(async (options) => done((await import('./commands/inspect.ts')).listCommand(options)));
  program
    .command('cancel')
    .description('cancel a run')
    .argument('<runId>')
    .action(async (runId) => done((await import('./commands/inspect.ts')).cancelCommand(runId)));
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
    const { printError } = await import('./print.ts');
    printError(error);
    return 1;
  }
}
