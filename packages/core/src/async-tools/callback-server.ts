/**
 * `cairn serve callbacks`: where an external system posts the result of an
 * asynchronous tool call it was handed. Each call has its own token
 * (`callbacks.ts`); a request without the right one changes nothing.
 *
 *   POST /v1/callbacks/<runId>/<callId>
 *   Authorization: Bearer <callbackToken>
 *   {"result": <any JSON>}  or  {"error": "<what went wrong, for the model>"}
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { CairnClient } from '../client/cairn-client.ts';
import { CairnError, UnknownRunError } from '../errors.ts';
import { isCallbackToken } from './callbacks.ts';
import { bearerToken, listen, readBody, sendJson as reply, type ListeningServer } from '../http/small-server.ts';

/** A little over the largest result a call takes (256 KB), so that the client names the limit. */
const maxBodyBytes = 300 * 1024;
const route = /^\/v1\/callbacks\/([^/]+)\/([^/]+)$/;

export interface CallbackServerOptions {
  client: Pick<CairnClient, 'completeToolCall'>;
  secret: string;
  port?: number;
  /** Default loopback; put a TLS proxy in front before opening it wider. */
  host?: string;
  /** Each completion taken, for the command's log. */
  onCompleted?: (completion: { runId: string; callId: string; failed: boolean }) => void;
}

export type CallbackServer = ListeningServer;

export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => reply(res, 500, { error: `The callback could not be delivered: ${error.message}` }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://callbacks').pathname;
    if (req.method === 'GET' && path === '/healthz') return reply(res, 200, { ok: true });
    const match = route.exec(path);
    if (!match) return reply(res, 404, { error: 'Not found: post to /v1/callbacks/<runId>/<callId>.' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'Use POST.' }, { allow: 'POST' });
    const [runId, callId] = [decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)];
    const token = bearerToken(req.headers.authorization);
    // The same answer for a missing and a wrong token, and before the body is read.
    if (!token || !isCallbackToken(options.secret, runId, callId, token)) return reply(res, 401, { error: 'Not authorised: send this call’s callback token as `Authorization: Bearer <token>`.' });
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) return reply(res, 413, { error: `The body is larger than ${maxBodyBytes / 1024} KB. Store large output elsewhere and post its address.` });
    const outcome = parseOutcome(body);
    if (typeof outcome === 'string') return reply(res, 400, { error: outcome });
    try {
      await options.client.completeToolCall(runId, callId, outcome);
    } catch (error) {
      if (error instanceof UnknownRunError) return reply(res, 404, { error: error.message });
      if (error instanceof CairnError) return reply(res, 409, { error: error.message, ...(error.hint ? { hint: error.hint } : {}) });
      throw error;
    }
    options.onCompleted?.({ runId, callId, failed: 'error' in outcome });
    return reply(res, 200, { ok: true, runId, callId });
  }

  return listen(server, options.port ?? 7790, options.host ?? '127.0.0.1');
}

function parseOutcome(body: string): { result: unknown } | { error: string } | string {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return 'The body is not JSON: send {"result": …} or {"error": "…"}.';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'Send a JSON object: {"result": …} or {"error": "…"}.';
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0] === 'result') return { result: (value as { result: unknown }).result };
  const { error } = value as { error?: unknown };
  if (keys.length === 1 && typeof error === 'string' && error.trim() !== '') return { error };
  return 'Send exactly one of {"result": …} or {"error": "<non-empty message>"}.';
}
