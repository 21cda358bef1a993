/**
 * Temporal's remote codec protocol over HTTP: `POST …/encode` and `POST …/decode`
 * with `{ "payloads": [...] }` in protobuf JSON. The Temporal Web UI (and the
 * `temporal` CLI) call it to show what an encrypted stack wrote, to the people
 * who can reach it. While it runs it decrypts for anyone who can reach its port
 * and passes its checks, so it listens on loopback by default, answers only
 * the origins it is given, and can demand a bearer token.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { EncryptionCodec } from './encryption-codec.ts';
import type { EncryptionSettings } from './encryption-keys.ts';
import { bearerToken, listen, readBody, sameSecret, sendJson as reply, type ListeningServer } from '../http/small-server.ts';

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;
/** A Web UI page decodes a history's payloads in batches; anything larger is not a request from it. */
const maxBodyBytes = 64 * 1024 * 1024;

export interface CodecServerOptions {
  encryption: EncryptionSettings;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Browser origins allowed to call it (the Web UI's, such as http://127.0.0.1:8233). */
  origins: string[];
  /** When set, every call must send `Authorization: Bearer <token>`. */
  token?: string;
}

export type RunningCodecServer = ListeningServer;

export async function startCodecServer(options: CodecServerOptions): Promise<RunningCodecServer> {
  // What it shows is read, not trusted: plain payloads of runs from before encryption show as they are.
  const codec = new EncryptionCodec({ ...options.encryption, acceptPlaintext: true });
  const server = createServer((request, response) => {
    handle(request, response, codec, options).catch((error: unknown) => reply(response, 500, { message: (error as Error).message }));
  });
  return listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
}

async function handle(request: IncomingMessage, response: ServerResponse, codec: EncryptionCodec, options: CodecServerOptions): Promise<void> {
  const origin = request.headers.origin;
  if (origin && options.origins.includes(origin)) {
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    response.setHeader('Access-Control-Allow-Headers', 'Content-Type, Authorization, X-Namespace');
    response.setHeader('Vary', 'Origin');
  } else if (origin) {
    return reply(response, 403, { message: `Origin ${origin} is not allowed; start the codec server with --origin ${origin}.` });
  }
  if (request.method === 'OPTIONS') return reply(response, 204);
  if (options.token && !sameSecret(bearerToken(request.headers.authorization) ?? '', options.token)) return reply(response, 401, { message: 'A bearer token is required.' });
  const operation = request.url?.split('?')[0]?.split('/').at(-1);
  if (request.method !== 'POST' || (operation !== 'encode' && operation !== 'decode')) return reply(response, 404, { message: 'POST …/encode or …/decode.' });

  const text = await readBody(request, maxBodyBytes);
  if (text === undefined) return reply(response, 413, { message: `The body is larger than ${maxBodyBytes} bytes.` });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return reply(response, 400, { message: `The body is not JSON: ${(error as Error).message}` });
  }
  const payloads = (body as { payloads?: unknown }).payloads;
  if (!Array.isArray(payloads)) return reply(response, 400, { message: 'The body must be { "payloads": [...] }.' });
  const decoded = payloads.map((payload) => PayloadMessage.fromObject(payload as Record<string, unknown>) as Payload);
  const result = operation === 'encode' ? await codec.encode(decoded) : await codec.decode(decoded);
  reply(response, 200, { payloads: result.map((payload) => PayloadMessage.toObject(PayloadMessage.fromObject(payload), { bytes: String })) });
}
