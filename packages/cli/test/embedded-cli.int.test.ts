/**
 * The `cairn` command as a user runs it, in embedded mode: no TEMPORAL_ADDRESS, so the
 * CLI starts its own Temporal dev server and a background worker, recorded in pid files
 * under CAIRN_HOME. The model is the mock model server.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getFreePort, isProcessAlive } from '@cairn/dev-server';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { MockModelServer, lastMessage, type MockRequest, type ScriptedReply, eventually } from '@cairn/testing';
import { cairnBin, runCli } from './cli-process.ts';

const config = fileURLToPath(new URL('./fixtures/embedded.config.ts', import.meta.url));

/**
 * Asks for the `add` tool, then answers with its result; an input that says "slow" gets a reply that takes minutes.
 * The payer asks to pay Ada, then reports what the tool said.
 */
function model(request: MockRequest): ScriptedReply {
  const last = lastMessage(request);
  if (request.system === 'Pay when asked.') return last?.role === 'tool' ? { text: `Result: ${last.content}` } : { toolCalls: [{ name: 'pay', arguments: { to: 'Ada' } }] };
  if (last?.role === 'tool') return { text: `The sum is ${(JSON.parse(last.content) as { sum: number }).sum}.` };
  if (last?.role === 'user' && last.content.includes('slow')) return { latencyMs: 180_000, text: 'Too late.' };
  return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] };
}


/** An error is one line saying what happened, one hint saying what to do, a non-zero exit, and no stack. */
function expectCleanError(result: { code: number; stdout: string; stderr: string }, message: RegExp, hint: RegExp): void {
  expect(result.code, result.stderr).not.toBe(0);
  const lines = result.stderr.trim().split('\n');
  expect(lines, result.stderr).toHaveLength(2);
  expect(lines[0]).toMatch(/^error:? /);
  expect(lines[0]).toMatch(message);
  expect(lines[1]).toMatch(hint);
  expect(result.stdout).toBe('');
}

// Every command is a fresh Node process (about 2 s each, far more on a loaded machine).
describe('cairn in embedded mode', { timeout: 180_000 }, () => {
  let mock: MockModelServer;
  let home: string;
  let port: number;
  let uiPort: number;
  let env: NodeJS.ProcessEnv;
  const cairn = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) => runCli(args, { ...env, ...extraEnv });
  const serverFile = () => join(home, 'server.json');
  const workerFile = () => join(home, 'worker.json');
  const pidIn = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { pid: number }).pid;
  /** Runs of this file, by what the test expects of them. */
  const runs: { completed?: string; cancelled?: string } = {};

  beforeAll(async () => {
    mock = await MockModelServer.start();
    mock.handle(model);
    home = mkdtempSync(join(tmpdir(), 'cairn-cli-'));
    port = await getFreePort();
    do uiPort = await getFreePort();
    while (uiPort === port);
    env = {
      CAIRN_HOME: home,
      CAIRN_TEMPORAL_PORT: String(port),
      CAIRN_TEMPORAL_UI_PORT: String(uiPort),
      // Unset: embedded mode is what is under test.
      TEMPORAL_ADDRESS: undefined,
      TEMPORAL_NAMESPACE: undefined,
      TEMPORAL_PROFILE: undefined,
      CAIRN_TASK_QUEUE: undefined,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: mock.openaiBaseUrl,
      ACME_API_KEY: 'acme-key',
      ACME_BASE_URL: mock.openaiBaseUrl,
      NO_COLOR: '1',
    };
  });

  afterAll(async () => {
    if (env) {
      const down = await cairn(['down']);
      expect(down.code, down.stderr).toBe(0);
    }
    await mock?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  describe('running an agent', () => {
    it('brings the stack up by itself, prints the run id, a Web UI link and the answer', async () => {
      expect(existsSync(serverFile())).toBe(false);

      const result = await cairn(['run', 'calc', 'What is 2+3?', '--config', config]);

      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`Starting the embedded Temporal server on 127.0.0.1:${port}`);
      expect(result.stderr).toContain('Started a background worker');
      const runId = /^Run (calc-\S+)$/m.exec(result.stdout)?.[1];
      expect(runId, result.stdout).toBeDefined();
      expect(result.stdout).toContain(`Temporal UI http://127.0.0.1:${uiPort}/namespaces/default/workflows/${runId}`);
      expect(result.stdout).toContain('The sum is 5.');
      expect(result.stdout).toMatch(/2 turns · \d+ in \/ \d+ out tokens/);
      runs.completed = runId;

      // Both halves of the stack run in the background, recorded in CAIRN_HOME, and the UI answers.
      expect(isProcessAlive(pidIn(serverFile()))).toBe(true);
      expect(isProcessAlive(pidIn(workerFile()))).toBe(true);
      expect(existsSync(join(home, 'temporal.db'))).toBe(true);
      expect((await fetch(`http://127.0.0.1:${uiPort}/`)).status).toBe(200);
      // The worker called the model twice: the tool call, then the answer.
      expect(mock.requests.filter((request) => request.status === 200)).toHaveLength(2);

      // Everything it wrote is its owner's alone.
      const loose = [home, ...readdirSync(home, { recursive: true, encoding: 'utf8' }).map((entry) => join(home, entry))]
        .map((path) => ({ path, mode: statSync(path).mode & 0o777, directory: statSync(path).isDirectory() }))
        .filter(({ mode, directory }) => mode !== (directory ? 0o700 : 0o600));
      expect(loose).toEqual([]);
      expect(['temporal.db', 'worker.log', 'worker.json', 'server.json', 'blobs'].filter((name) => !existsSync(join(home, name)))).toEqual([]);
      // The server needs no model key, so it gets none.
      const serverEnvironment = `/proc/${pidIn(serverFile())}/environ`;
      if (existsSync(serverEnvironment)) expect(readFileSync(serverEnvironment, 'utf8').split('\0').filter((entry) => /^\w+_(API_KEY|BASE_URL)=/.test(entry))).toEqual([]);
    });

    it('--json prints the result alone on stdout, as JSON', async () => {
      const result = await cairn(['run', 'calc', 'What is 2+3?', '--config', config, '--json']);

      expect(result.code, result.stderr).toBe(0);
      const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(parsed).toMatchObject({ agent: 'calc', status: 'completed', output: 'The sum is 5.', turns: 2 });
      expect(parsed.runId).toMatch(/^calc-/);
      expect(parsed.usage).toMatchObject({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
      // The stack was already up: nothing started.
      expect(result.stderr).not.toContain('Starting');
    });

    it("runs an agent on the config's own provider, with its own address and key", async () => {
      const before = mock.requests.length;
      const result = await cairn(['run', 'gateway-calc', 'What is 2+3?', '--config', config, '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ agent: 'gateway-calc', status: 'completed', output: 'The sum is 5.' });
      const sent = mock.requests.slice(before);
      expect(sent.map((request) => request.model)).toEqual(['gpt-gateway', 'gpt-gateway']);
      expect(sent.map((request) => request.headers.authorization)).toEqual(['Bearer acme-key', 'Bearer acme-key']);
    });

    it('--max-turns limits the run, which ends without an answer (exit code 2)', async () => {
      const result = await cairn(['run', 'calc', 'What is 2+3?', '--config', config, '--max-turns', '1']);

      expect(result.code, result.stderr).toBe(2);
      expect(result.stdout).toContain('Stopped after 1 turn (the turn limit) before a final answer.');
    });
  });

  describe('a run followed from other commands', () => {
    it('--detach returns at once with the run id while the model is still thinking', async () => {
      const startedAt = Date.now();
      const result = await cairn(['run', 'calc', 'Something slow, please.', '--config', config, '--detach', '--json']);

      expect(result.code, result.stderr).toBe(0);
      const { runId, uiUrl } = JSON.parse(result.stdout) as { runId: string; uiUrl: string };
      expect(runId).toMatch(/^calc-/);
      expect(uiUrl).toBe(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${runId}`);
      expect(Date.now() - startedAt).toBeLessThan(60_000); // the model takes three minutes
      runs.cancelled = runId;

      const plain = await cairn(['run', 'calc', 'Another slow one.', '--config', config, '--detach']);
      expect(plain.code, plain.stderr).toBe(0);
      const plainId = /^Run (calc-\S+)$/m.exec(plain.stdout)?.[1];
      expect(plain.stdout).toContain(`Follow it with 'cairn status ${plainId}'.`);
      expect((await cairn(['cancel', plainId!])).code).toBe(0);
    });

    it('status shows a run waiting on the model, and --json gives the same as data', async () => {
      const runId = runs.cancelled!;
      await eventually(async () => {
        const status = JSON.parse((await cairn(['status', runId, '--json'])).stdout) as { state: string };
        return status.state === 'calling_model';
      }, 'the run to call the model', 90_000);

      const plain = await cairn(['status', runId]);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toContain(`${runId}  calc (openai:gpt-test)`);
      expect(plain.stdout).toMatch(/^state\s+calling_model$/m);
      expect(plain.stdout).toMatch(/^turn\s+0 of at most 5$/m);
      expect(plain.stdout).toContain(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/${runId}`);

      const json = await cairn(['status', runId, '--json']);
      expect(JSON.parse(json.stdout)).toMatchObject({ runId, agent: 'calc', model: 'openai:gpt-test', state: 'calling_model', turn: 0, maxTurns: 5 });
    });

    it('list shows the runs; --json gives them as data', async () => {
      const plain = await cairn(['list']);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toMatch(new RegExp(`^${runs.completed}\\s+calc\\s+completed\\s`, 'm'));
      // Visibility holds 'running' while a run works through its turns; `cairn status` says which step.
      expect(plain.stdout).toMatch(new RegExp(`^${runs.cancelled}\\s+calc\\s+running\\s`, 'm'));

      const json = await cairn(['list', '--json']);
      const listed = JSON.parse(json.stdout) as { runId: string; agent: string; state: string; startedAt: string }[];
      expect(listed).toContainEqual(expect.objectContaining({ runId: runs.completed, agent: 'calc', state: 'completed' }));
      expect(listed).toContainEqual(expect.objectContaining({ runId: runs.cancelled, agent: 'calc', state: 'running' }));
      expect(listed.every((run) => !Number.isNaN(Date.parse(run.startedAt)))).toBe(true);

      const limited = await cairn(['list', '--json', '--limit', '1']);
      expect(JSON.parse(limited.stdout)).toHaveLength(1);
    });

    it('cancel stops a run waiting on a slow model reply; status then says cancelled', async () => {
      const runId = runs.cancelled!;
      const result = await cairn(['cancel', runId]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Cancellation requested for ${runId}.`);

      await eventually(async () => (await cairn(['status', runId])).stdout.includes('cancelled'), 'the run to be cancelled', 90_000);
      const status = await cairn(['status', runId, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ runId, agent: 'calc', state: 'cancelled' });
      expect((await cairn(['list'])).stdout).toMatch(new RegExp(`^${runId}\\s+calc\\s+cancelled\\s`, 'm'));

      const again = await cairn(['cancel', runId]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`Run '${runId}' is not running (it is cancelled).`);
    });
  });

  describe('errors: one line, a hint, a non-zero exit', () => {
    it('an unknown agent', async () => {
      expectCleanError(
        await cairn(['run', 'calculator', 'What is 2+3?', '--config', config]),
        /Unknown agent 'calculator'\. Served agents: gateway-calc, calc, payer[,.]/,
        /^hint {2}Check the agents in .*embedded\.config\.ts\.$/,
      );
    });

    it('an unknown run id', async () => {
      expectCleanError(await cairn(['status', 'nope']), /No run with id 'nope'\./, /'cairn list'/);
    });

    it('no API key for the agent’s model, before anything starts', async () => {
      expectCleanError(
        await cairn(['run', 'calc', 'What is 2+3?', '--config', config], { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined }),
        /The OpenAI model needs an API key: OPENAI_API_KEY is not set\./,
        /export OPENAI_API_KEY=/,
      );
    });

    it("no API key for a config's own provider, named by its definition", async () => {
      expectCleanError(
        await cairn(['run', 'gateway-calc', 'What is 2+3?', '--config', config], { ACME_API_KEY: undefined }),
        /The Acme gateway model needs an API key: ACME_API_KEY is not set\./,
        /export ACME_API_KEY=/,
      );
    });

    it('a Temporal server that cannot be reached', async () => {
      const closed = await getFreePort();
      expectCleanError(
        await cairn(['list'], { TEMPORAL_ADDRESS: `127.0.0.1:${closed}` }),
        new RegExp(`Cannot reach the Temporal server at 127\\.0\\.0\\.1:${closed}\\.`),
        /Check TEMPORAL_ADDRESS/,
      );
    });

    it('a --config path that does not exist', async () => {
      expectCleanError(await cairn(['run', 'calc', 'hi', '--config', join(home, 'missing.config.ts')]), /Config file not found: .*missing\.config\.ts\./, /--config/);
    });

    it('none when a pipe closes early (`cairn list | head`)', () => {
      // `true` exits without reading, so every write of `cairn` hits a closed pipe.
      const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${cairnBin}" server status --json | true`], { env: { ...process.env, ...env }, encoding: 'utf8' });
      expect(piped.stderr).not.toContain('EPIPE');
    });

    it('none from cairn down when its records name a process that is not Cairn’s: it is left alone', async () => {
      // A pid file left from before a reboot can name another program's process by now.
      const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
      const otherHome = mkdtempSync(join(tmpdir(), 'cairn-stale-'));
      writeFileSync(join(otherHome, 'worker.json'), JSON.stringify({ pid: stranger.pid, logFile: join(otherHome, 'worker.log'), startedAt: new Date().toISOString() }));
      writeFileSync(join(otherHome, 'server.json'), JSON.stringify({ pid: stranger.pid, address: '127.0.0.1:1', dbFile: join(otherHome, 'temporal.db'), logFile: join(otherHome, 'server.log') }));
      const down = await cairn(['down'], { CAIRN_HOME: otherHome });
      expect(down.code, down.stderr).toBe(0);
      expect(isProcessAlive(stranger.pid!)).toBe(true);
      expect([existsSync(join(otherHome, 'worker.json')), existsSync(join(otherHome, 'server.json'))]).toEqual([false, false]);
      stranger.kill();
    });

    it('an invalid --max-turns', async () => {
      for (const value of ['0', 'many']) {
        expectCleanError(
          await cairn(['run', 'calc', 'hi', '--config', config, '--max-turns', value]),
          new RegExp(`'--max-turns <n>' argument '${value}' is invalid\\. expected a positive integer\\.`),
          /--help/,
        );
      }
    });
  });

  describe('secrets', () => {
    it('a key echoed by the provider and a password in the base URL appear nowhere: terminal, status, history, logs', async () => {
      const key = 'sk-echoed-0123456789abcdef';
      const password = 'hunter2-secret-pw';
      mock.reset();
      mock.handle(() => ({ fault: { kind: 'unauthorized', echoKey: true } }));
      const echoed = await cairn(['run', 'calc', 'What is 2+3?', '--config', config], { OPENAI_API_KEY: key });
      expect(mock.requests.at(-1)?.headers.authorization).toBe(`Bearer ${key}`);
      expect(echoed.code).not.toBe(0);
      expect(echoed.stderr).toMatch(/Incorrect API key provided: \[redacted\]/);
      const echoedRun = /^Run (calc-\S+)$/m.exec(echoed.stdout)?.[1];

      const withPassword = `http://ada:${password}@127.0.0.1:${new URL(mock.openaiBaseUrl).port}/v1`;
      const credentialed = await cairn(['run', 'calc', 'What is 2+3?', '--config', config], { OPENAI_API_KEY: key, OPENAI_BASE_URL: withPassword });
      expect(credentialed.code).not.toBe(0);
      expect(credentialed.stderr).toMatch(/base URL http:\/\/127\.0\.0\.1:\d+\/v1 includes a user name or password/);
      const credentialedRun = /^Run (calc-\S+)$/m.exec(credentialed.stdout)?.[1];

      const seen = [echoed.stdout, echoed.stderr, credentialed.stdout, credentialed.stderr];
      for (const runId of [echoedRun, credentialedRun]) {
        expect(runId).toBeDefined();
        const status = await cairn(['status', runId!, '--json'], { OPENAI_API_KEY: key, OPENAI_BASE_URL: withPassword });
        seen.push(status.stdout, status.stderr);
      }
      seen.push(readFileSync(join(home, 'worker.log'), 'utf8'), readFileSync(join(home, 'worker.json'), 'utf8'), readFileSync(join(home, 'server.log'), 'utf8'));
      // The server's database holds every run's history.
      const database = ['temporal.db', 'temporal.db-wal'].filter((name) => existsSync(join(home, name))).map((name) => readFileSync(join(home, name)).toString('latin1'));
      for (const text of [...seen, ...database]) {
        expect(text.includes(key), 'the API key leaked').toBe(false);
        expect(text.includes(password), 'the password leaked').toBe(false);
      }
      mock.reset();
      mock.handle(model);
    });
  });

  describe('another user of the machine', () => {
    const otherUser = fileURLToPath(new URL('./fixtures/other-user.mjs', import.meta.url));
    const skipReason = process.getuid?.() !== 0 ? 'not root: cannot become another uid' : undefined;

    it('can neither read a run, nor approve its payment, nor start a run on the owner’s worker; the owner’s Web UI decodes through cairn codec-server', async (context) => {
      if (skipReason) {
        console.log(`skipped the other-user checks: ${skipReason}`);
        return context.skip();
      }
      const started = await cairn(['run', 'payer', 'Pay Ada for the launch codes.', '--config', config, '--detach']);
      expect(started.code, started.stderr).toBe(0);
      const runId = /^Run (payer-\S+)$/m.exec(started.stdout)![1]!;
      const pending = await eventually(async () => {
        const inbox = await cairn(['inbox', '--json']);
        return (JSON.parse(inbox.stdout) as { runId: string; id: string }[]).find((item) => item.runId === runId);
      }, 'the approval in the inbox');

      const requestsBefore = mock.requests.length;
      const played = spawnSync(process.execPath, [otherUser, `127.0.0.1:${port}`, runId, pending.id, join(home, 'encryption-keys'), 'cairn'], { encoding: 'utf8', timeout: 60_000 });
      expect(played.status, played.stderr).toBe(0);
      const report = JSON.parse(played.stdout) as { uid: number; keyFile: string; history: string; describe: string; forgedRunId: string };
      expect([report.uid, report.keyFile]).toEqual([65534, 'EACCES']);
      // The conversation and the pending call are sealed with the key only the owner can read.
      expect(report.history).not.toContain('launch codes');
      expect(report.history).not.toContain(Buffer.from('launch codes').toString('base64'));
      expect(report.describe).toMatch(/Unknown encoding: binary\/encrypted/);
      // The approval it sent is refused and recorded; the call still waits.
      const status = await eventually(async () => {
        const shownStatus = JSON.parse((await cairn(['status', runId, '--json'])).stdout) as { rejected: { message: string }[]; pending: { id: string }[] };
        return shownStatus.rejected.length > 0 ? shownStatus : undefined;
      }, 'the refused approval');
      expect(status.rejected[0]!.message).toMatch(/not encrypted with this stack's key/);
      expect(status.pending.map((item) => item.id)).toEqual([pending.id]);
      // The run it started on the owner's task queue fails before any model call: the owner's API key is never used.
      const forgedStatus = await eventually(async () => {
        const shownStatus = JSON.parse((await cairn(['status', report.forgedRunId, '--json'])).stdout) as { state: string; output?: string };
        return shownStatus.state === 'running' || shownStatus.state === 'starting' ? undefined : shownStatus;
      }, 'the forged run to end');
      expect(forgedStatus.state).toBe('failed');
      expect(forgedStatus.output).toMatch(/not started by a client holding the stack's encryption key/);
      expect(mock.requests.length).toBe(requestsBefore);

      // The owner approves, and the payment goes through once.
      const approved = await cairn(['approve', runId]);
      expect(approved.code, approved.stderr).toBe(0);
      const result = await eventually(async () => {
        const shownStatus = JSON.parse((await cairn(['status', runId, '--json'])).stdout) as { state: string };
        return shownStatus.state === 'completed' ? shownStatus : undefined;
      }, 'the approved run to complete');
      expect(result).toMatchObject({ output: 'Result: paid Ada' });

      // The owner's Web UI decodes it through `cairn codec-server`, at the address the embedded UI was started with.
      const codec = spawn(process.execPath, [cairnBin, 'codec-server'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let printed = '';
        codec.stdout.on('data', (chunk) => (printed += chunk));
        const codecUrl = await eventually(() => /^Codec server (\S+) /m.exec(printed)?.[1], 'the codec server to listen');
        expect(codecUrl).toBe(`http://127.0.0.1:${uiPort + 1}`);
        const connection = await Connection.connect({ address: `127.0.0.1:${port}` });
        const history = await new Client({ connection }).workflow.getHandle(runId).fetchHistory();
        await connection.close();
        const { Payload } = proto.temporal.api.common.v1;
        const sealed = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads!.map((payload) => Payload.toObject(Payload.fromObject(payload), { bytes: String }));
        expect(JSON.stringify(sealed)).not.toContain(Buffer.from('launch codes').toString('base64').slice(0, 12));
        const decoded = await fetch(`${codecUrl}/decode`, { method: 'POST', headers: { Origin: `http://localhost:${uiPort}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ payloads: sealed }) });
        const [input] = ((await decoded.json()) as { payloads: { data: string }[] }).payloads;
        expect(Buffer.from(input!.data, 'base64').toString()).toContain('Pay Ada for the launch codes.');
      } finally {
        codec.kill('SIGINT');
      }
    });
  });

  describe('the stack', () => {
    it('server status, down, up, server stop; runs persist in the SQLite file across restarts', { timeout: 600_000 }, async () => {
      const status = await cairn(['server', 'status']);
      expect(status.code, status.stderr).toBe(0);
      const serverPid = pidIn(serverFile());
      const workerPid = pidIn(workerFile());
      expect(status.stdout).toContain(`server  running, pid ${serverPid}, 127.0.0.1:${port}, UI http://127.0.0.1:${uiPort}`);
      expect(status.stdout).toContain(`worker  running, pid ${workerPid}, log ${join(home, 'worker.log')}`);
      const statusJson = JSON.parse((await cairn(['server', 'status', '--json'])).stdout) as Record<string, unknown>;
      expect(statusJson).toMatchObject({
        server: { pid: serverPid, address: `127.0.0.1:${port}`, answering: true, dbFile: join(home, 'temporal.db') },
        worker: { pid: workerPid, configPath: config },
      });

      // down: both processes end and their pid files go.
      const down = await cairn(['down']);
      expect(down.code, down.stderr).toBe(0);
      expect(down.stdout).toContain(`Stopped the worker (pid ${workerPid}).`);
      expect(down.stdout).toContain(`Stopped the Temporal server (pid ${serverPid}).`);
      expect(isProcessAlive(serverPid)).toBe(false);
      expect(isProcessAlive(workerPid)).toBe(false);
      expect(existsSync(serverFile())).toBe(false);
      expect(existsSync(workerFile())).toBe(false);
      const stopped = await cairn(['server', 'status']);
      expect(stopped.code).toBe(1);
      expect(stopped.stdout).toBe('server  stopped\nworker  stopped\n');
      expectCleanError(await cairn(['list']), /The embedded Temporal server is not running\./, /'cairn up'/);
      expect((await cairn(['down'])).stdout).toBe('No worker was running.\nNo Temporal server was running.\n');

      // up (here without a config: the built-in agents) brings both back on the same database.
      // Two at once start one server and one worker: the second waits for the first's.
      const [up, alsoUp] = await Promise.all([cairn(['up']), cairn(['up'])]);
      expect(up.code, up.stderr).toBe(0);
      expect(alsoUp.code, alsoUp.stderr).toBe(0);
      for (const { stdout } of [up, alsoUp]) {
        expect(stdout).toContain(`✓ Temporal server 127.0.0.1:${port}`);
        expect(stdout).toContain(`Web UI http://127.0.0.1:${uiPort}`);
        expect(stdout).toContain(`✓ Worker pid ${pidIn(workerFile())}`);
      }
      // Either may start the server, and either the worker: each is started once.
      expect([up.stdout, alsoUp.stdout].filter((stdout) => /✓ Temporal server \S+$/m.test(stdout))).toHaveLength(1);
      expect([up.stdout, alsoUp.stdout].filter((stdout) => /✓ Worker pid \d+, log/m.test(stdout))).toHaveLength(1);
      expect(spawnSync('pgrep', ['-f', `start-dev .*${join(home, 'temporal.db')}`], { encoding: 'utf8' }).stdout.trim().split('\n')).toEqual([String(pidIn(serverFile()))]);
      expect(isProcessAlive(pidIn(serverFile()))).toBe(true);
      expect(isProcessAlive(pidIn(workerFile()))).toBe(true);
      const listed = JSON.parse((await cairn(['list', '--json'])).stdout) as { runId: string; state: string }[];
      expect(listed).toContainEqual(expect.objectContaining({ runId: runs.completed, state: 'completed' }));
      expect(listed).toContainEqual(expect.objectContaining({ runId: runs.cancelled, state: 'cancelled' }));
      const before = JSON.parse((await cairn(['status', runs.completed!, '--json'])).stdout) as { output: string };
      expect(before.output).toBe('The sum is 5.');

      // A run of another config's agent replaces the worker that serves the built-in ones.
      const builtInWorker = pidIn(workerFile());
      const run = await cairn(['run', 'calc', 'What is 2+3?', '--config', config]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain(`Restarting the background worker: it serves the built-in agents, not ${config}.`);
      expect(run.stdout).toContain('The sum is 5.');
      expect(isProcessAlive(builtInWorker)).toBe(false);

      // So does a run on another task queue, and one from a shell whose model settings differ
      // from the worker's: a worker started without a key would fail every model call.
      const otherQueue = await cairn(['run', 'calc', 'What is 2+3?', '--config', config, '--task-queue', 'elsewhere']);
      expect(otherQueue.code, otherQueue.stderr).toBe(0);
      expect(otherQueue.stderr).toContain("Restarting the background worker: it polls task queue 'cairn', not 'elsewhere'.");
      expect(otherQueue.stdout).toContain('The sum is 5.');
      const keyless = await cairn(['up', '--config', config], { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined });
      expect(keyless.code, keyless.stderr).toBe(0);
      const withKey = await cairn(['run', 'calc', 'What is 2+3?', '--config', config]);
      expect(withKey.code, withKey.stderr).toBe(0);
      expect(withKey.stderr).toContain('Restarting the background worker: the model settings (API keys, base URLs, CAIRN_MODEL, search provider), blob store or encryption keys changed since it started.');
      expect(withKey.stdout).toContain('The sum is 5.');
      // A config provider's own key counts too, although the stack decides before the config loads.
      const otherGatewayKey = await cairn(['run', 'gateway-calc', 'What is 2+3?', '--config', config], { ACME_API_KEY: 'rotated-key' });
      expect(otherGatewayKey.code, otherGatewayKey.stderr).toBe(0);
      expect(otherGatewayKey.stderr).toContain('Restarting the background worker: the model settings');
      expect(mock.requests.at(-1)!.headers.authorization).toBe('Bearer rotated-key');

      // server stop: the server alone; the worker stays until `down`.
      const server = pidIn(serverFile());
      const worker = pidIn(workerFile());
      const serverStop = await cairn(['server', 'stop']);
      expect(serverStop.code, serverStop.stderr).toBe(0);
      expect(serverStop.stdout).toBe(`Stopped the Temporal server (pid ${server}).\n`);
      expect(isProcessAlive(server)).toBe(false);
      expect(existsSync(serverFile())).toBe(false);
      const afterStop = await cairn(['server', 'status']);
      expect(afterStop.code).toBe(1);
      expect(afterStop.stdout).toContain('server  stopped');
      expect(afterStop.stdout).toContain(`worker  running, pid ${worker}`);

      const finalDown = await cairn(['down']);
      expect(finalDown.stdout).toBe(`Stopped the worker (pid ${worker}).\nNo Temporal server was running.\n`);
      expect(isProcessAlive(worker)).toBe(false);
    });
  });
});

