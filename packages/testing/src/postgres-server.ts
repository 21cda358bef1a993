/**
 * A PostgreSQL server of a test's own, in a temporary folder: `initdb`, then
 * `pg_ctl start` on a free loopback port, and `stop()` removes it all.
 * PostgreSQL refuses to run as root, so as root it runs as `nobody`.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { getFreePort } from '@cairn/dev-server';

const run = promisify(execFile);
const nobody = 65_534;

export interface PostgresServer {
  /** `postgres://cairn:<password>@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  password: string;
  stop(): Promise<void>;
}

/** The folder holding `initdb` and `pg_ctl`: PG_BIN, else PATH, else the newest under /usr/lib/postgresql. */
export function postgresBinDirectory(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PG_BIN) return env.PG_BIN;
  const onPath = (env.PATH ?? '').split(delimiter).find((folder) => folder && existsSync(join(folder, 'pg_ctl')));
  if (onPath) return onPath;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const newest = readdirSync(root).filter((version) => existsSync(join(root, version, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a))[0];
  return newest ? join(root, newest, 'bin') : undefined;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDirectory();
  if (!bin) throw new Error('PostgreSQL is not installed: no pg_ctl in PG_BIN, on PATH or under /usr/lib/postgresql.');
  const folder = await mkdtemp(join(tmpdir(), 'cairn-postgres-'));
  const data = join(folder, 'data');
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const asRoot = process.getuid?.() === 0;
  // As root, everything runs as nobody, who must own the folder and be able to reach it.
  const command = (program: string, args: string[]) =>
    asRoot ? run('setpriv', [`--reuid=${nobody}`, `--regid=${nobody}`, '--clear-groups', join(bin, program), ...args], { cwd: folder }) : run(join(bin, program), args, { cwd: folder });
  if (asRoot) {
    await chmod(folder, 0o700);
    await chown(folder, nobody, nobody);
  }
  const passwordFile = join(folder, 'password');
  await writeFile(passwordFile, password, { mode: 0o600 });
  if (asRoot) await chown(passwordFile, nobody, nobody);
  const port = await getFreePort();
  try {
    await command('initdb', ['-D', data, '-U', 'cairn', `--pwfile=${passwordFile}`, '-A', 'scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C']);
    const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
    await command('pg_ctl', ['-D', data, '-l', join(folder, 'server.log'), '-o', options, '-w', '-t', '60', 'start']);
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL from ${bin}: ${(error as Error).message}`);
  }
  return {
    url: `postgres://cairn:${password}@127.0.0.1:${port}/postgres`,
    port,
    password,
    async stop() {
      await command('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      await rm(folder, { recursive: true, force: true });
    },
  };
}

