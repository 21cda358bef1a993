/**
 * `cairn ui`'s server: the console's page and a small JSON API over the same
 * checked client calls as the CLI. On loopback it needs no token (and answers
 * only requests addressed to loopback, against DNS rebinding); anywhere else it
 * refuses to start without CAIRN_UI_TOKEN, and then every API request must
 * carry one. A change to a run also needs the console's own header, which a
 * page of another origin cannot send without asking first.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { CairnError, UnknownRunError, type CairnClient } from '@cairn/core';
import { bearerToken, listen, personNamePattern, readBody, sameSecret, sendJson as reply, type ListeningServer } from '@cairn/core/internals';
import { ConsoleData, type RunFilter } from './console-data.ts';

export interface ConsoleToken {
  /** Recorded with each answer and decision given with the token. */
  name: string;
  token: string;
}

export interface ConsoleServerOptions {
  client: CairnClient;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 7780; 0 picks a free port. */
  port?: number;
  tokens?: ConsoleToken[];
}

export type ConsoleServer = ListeningServer;

const assets: Record<string, string> = { '/': 'index.html', '/console.js': 'console.js', '/console.css': 'console.css' };
const types: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const assetFolder = new URL('../../console/', import.meta.url);
const maxBodyBytes = 256 * 1024;

/** `CAIRN_UI_TOKEN`: `name:token` pairs separated by commas, or one bare token (named `console`). */
export function consoleTokens(value: string | undefined): ConsoleToken[] {
  if (!value?.trim()) return [];
  return value.split(',').map((entry) => {
    const colon = entry.indexOf(':');
    const [name, token] = colon < 0 ? ['console', entry.trim()] : [entry.slice(0, colon).trim(), entry.slice(colon + 1).trim()];
    if (!personNamePattern.test(name)) throw new CairnError(`CAIRN_UI_TOKEN names '${name}': a name is 1-64 letters, digits or . _ @ -.`);
    if (token.length < 16) throw new CairnError(`CAIRN_UI_TOKEN's token for '${name}' is shorter than 16 characters.`, { hint: 'Use long random tokens, e.g. `openssl rand -hex 24`.' });
    return { name, token };
  });
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A console beyond loopback without a token would let anyone who reaches it act for the runs' people. */
export function checkExposure(host: string, tokens: readonly ConsoleToken[]): void {
  if (!isLoopback(host) && tokens.length === 0) {
    throw new CairnError(`The console would listen on ${host} with no token: anyone who reaches it could answer and approve for your runs.`, {
      hint: 'Set CAIRN_UI_TOKEN (e.g. alice:<long random token>), or keep it on loopback (the default).',
    });
  }
}

export async function startConsoleServer(options: ConsoleServerOptions): Promise<ConsoleServer> {
  const host = options.host ?? '127.0.0.1';
  const tokens = options.tokens ?? [];
  checkExposure(host, tokens);
  const data = new ConsoleData(options.client);
  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => reply(res, statusOf(error), { error: error.message, ...(error instanceof CairnError && error.hint ? { hint: error.hint } : {}) }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    if (tokens.length === 0 && !isLoopback(hostOf(req.headers.host))) return reply(res, 403, { error: 'This console answers only requests addressed to loopback.' });
    const asset = assets[url.pathname];
    if (req.method === 'GET' && asset) return sendAsset(res, asset);
    if (!url.pathname.startsWith('/api/')) return reply(res, 404, { error: 'Not found.' });
    const person = tokens.length > 0 ? whoIs(req.headers.authorization) : undefined;
    if (tokens.length > 0 && !person) return reply(res, 401, { error: 'This console needs a token: send it as `Authorization: Bearer <token>`.' });
    if (req.method === 'GET' && url.pathname === '/api/session') return reply(res, 200, { person: person?.name ?? null, tokenRequired: tokens.length > 0 });
    if (req.method === 'GET' && url.pathname === '/api/runs') return reply(res, 200, await data.runs(filterOf(url)));
    if (req.method === 'GET' && url.pathname === '/api/inbox') return reply(res, 200, await options.client.inbox());
    const run = /^\/api\/runs\/([^/]+)(?:\/(answer|decide|budget))?$/.exec(url.pathname);
    if (!run) return reply(res, 404, { error: 'Not found.' });
    const runId = decodeURIComponent(run[1]!);
    const action = run[2];
    if (!action && req.method === 'GET') return reply(res, 200, await data.run(runId));
    if (!action || req.method !== 'POST') return reply(res, 405, { error: 'Not allowed.' });
    // A form or fetch from another origin cannot send this header without a preflight, which this server never grants.
    if (req.headers['x-cairn-console'] !== '1') return reply(res, 403, { error: 'Changes to a run come from the console page only (x-cairn-console header).' });
    const body = await readJson(req);
    const who = person ? { person: person.name } : {};
    if (action === 'answer') {
      const answered = await options.client.answer(runId, text(body.answer, 'answer'), optionalText(body.questionId), who);
      return reply(res, 200, { id: answered.id, delivery: answered.delivery });
    }
    if (action === 'decide') {
      if (typeof body.approved !== 'boolean') throw new CairnError('approved must be true or false.');
      const decided = await options.client.decide(runId, { callId: optionalText(body.callId), approved: body.approved, ...(body.arguments !== undefined ? { arguments: body.arguments } : {}), reason: optionalText(body.reason), ...who });
      return reply(res, 200, { id: decided.id, delivery: decided.delivery });
    }
    const amount = { ...(typeof body.tokens === 'number' ? { tokens: body.tokens } : {}), ...(typeof body.usd === 'number' ? { usd: body.usd } : {}) };
    await options.client.addBudget(runId, amount);
    return reply(res, 200, { toppedUp: amount });
  }

  function whoIs(authorization: string | undefined): ConsoleToken | undefined {
    const given = bearerToken(authorization) ?? '';
    return tokens.find(({ token }) => sameSecret(given, token));
  }

  return listen(server, options.port ?? 7780, host);
}

function hostOf(header: string | undefined): string {
  const value = header ?? '';
  return value.startsWith('[') ? value.slice(1, value.indexOf(']')) : value.split(':')[0]!;
}

function filterOf(url: URL): RunFilter {
  const within = /^(\d+)([hd])$/.exec(url.searchParams.get('within') ?? '');
  return {
    ...(url.searchParams.get('agent') ? { agent: url.searchParams.get('agent')! } : {}),
    ...(url.searchParams.get('state') ? { state: url.searchParams.get('state')! } : {}),
    ...(within ? { withinMs: Number(within[1]) * (within[2] === 'h' ? 3_600_000 : 86_400_000) } : {}),
  };
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new CairnError(`The ${what} is empty.`);
  return value;
}

function optionalText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req, maxBodyBytes);
  if (text === undefined) throw Object.assign(new CairnError(`The request is larger than ${maxBodyBytes / 1024} KB.`), { status: 413 });
  try {
    const value: unknown = JSON.parse(text || '{}');
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw Object.assign(new CairnError('The request body is not a JSON object.'), { status: 400 });
}

function statusOf(error: Error): number {
  const status = (error as { status?: number }).status;
  if (status) return status;
  if (error instanceof UnknownRunError) return 404;
  return error instanceof CairnError ? 409 : 500;
}

async function sendAsset(res: ServerResponse, file: string): Promise<void> {
  const body = await readFile(new URL(file, assetFolder));
  res.writeHead(200, {
    'content-type': types[file.split('.').pop()!]!,
    'content-length': body.length,
    // The page runs only its own script and style, and talks only to this server.
    'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}
