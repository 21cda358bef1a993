import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { anthropicFormat } from './anthropic-format.ts';
import { replyProblem } from './check-reply.ts';
import { headersOf, readBody, send } from './http-io.ts';
import { openaiFormat } from './openai-format.ts';
import { openaiResponsesFormat } from './openai-responses-format.ts';
import { resolveStopReason, resolveUsage } from './reply-usage.ts';
import type { MockRequest, ReplyHandler, ScriptedReply } from './scripted-reply.ts';
import { sseText, streamEvents, type SseEvent } from './sse-stream.ts';
import { UnrepresentableReply, type WireError, type WireFormat, type WireResponse } from './wire-format.ts';

export interface MockModelServerOptions {
  /** Default 0: a free port chosen by the OS. */
  port?: number;
  /**
   * How many of the newest requests `requests` keeps. Default: all. A benchmark of
   * thousands of turns keeps a few: each request holds its whole conversation.
   */
  keepRequests?: number;
}

const formats: WireFormat[] = [openaiFormat, openaiResponsesFormat, anthropicFormat];

/**
 * A local HTTP server that speaks the OpenAI Chat Completions and Anthropic Messages
 * wire formats, answering from a script. Point the real SDK clients at it
 * (`openaiBaseUrl`, `anthropicBaseUrl`), script what the "model" says, then assert on
 * the outcome and on `requests`, the log of what the client sent.
 */
export class MockModelServer {
  static async start(options: MockModelServerOptions = {}): Promise<MockModelServer> {
    const http = createServer();
    const mock = new MockModelServer(http, options.keepRequests);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, '127.0.0.1', () => {
        http.off('error', reject);
        resolve();
      });
    });
    mock.port = (http.address() as AddressInfo).port;
    return mock;
  }

  private port = 0;
  private queue: ScriptedReply[] = [];
  private handler: ReplyHandler | undefined;
  private log: MockRequest[] = [];
  private served = 0;
  private nextRequestId = 1;
  /** Never reset, so ids stay unique for the server's life even across `reset()`. */
  private idSequence = 0;
  private readonly inFlight = new Map<ServerResponse, AbortController>();

  private constructor(
    private readonly http: Server,
    private readonly keepRequests = Infinity,
  ) {
    http.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // A bug in the mock must fail the test that hit it, not crash the test runner.
      this.serve(req, res).catch((error: unknown) => {
        send(res, 500, {}, { type: 'error', error: { type: 'api_error', message: `mock model server: internal error: ${String(error)}` } });
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** For `new OpenAI({ baseURL })`. */
  get openaiBaseUrl(): string {
    return `${this.url}/v1`;
  }

  /** For `new Anthropic({ baseURL })`, which appends `/v1/messages` itself. */
  get anthropicBaseUrl(): string {
    return this.url;
  }

  /** Every request served (or the newest `keepRequests` of them), in arrival order. */
  get requests(): readonly MockRequest[] {
    return this.log;
  }

  /** How many requests arrived since the last `reset()`, kept or not. */
  get requestCount(): number {
    return this.served;
  }

  /** Scripted replies not yet used; 0 at the end of a test means the script ran out exactly. */
  get queuedReplies(): number {
    return this.queue.length;
  }

  /** Appends replies to the one queue both formats read from, first in first out. */
  script(...replies: ScriptedReply[]): this {
    for (const reply of replies) {
      const problem = replyProblem(reply);
      if (problem) throw new TypeError(`MockModelServer.script: ${problem}.`);
    }
    this.queue.push(...replies);
    return this;
  }

  /** Decides replies once the queue is empty; replaces any earlier handler. */
  handle(handler: ReplyHandler): this {
    this.handler = handler;
    return this;
  }

  /** Clears the queue, the handler and the log; request ids start again at 1. */
  reset(): void {
    this.queue = [];
    this.handler = undefined;
    this.log = [];
    this.served = 0;
    this.nextRequestId = 1;
  }

  /** Stops the server. Requests still waiting (hung or delayed) have their connection dropped. */
  async close(): Promise<void> {
    for (const [res, controller] of this.inFlight) {
      controller.abort();
      res.destroy();
    }
    this.inFlight.clear();
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
  }

  /** Routes a request, records it, then answers it. */
  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const format = formats.find((candidate) => candidate.path === path);
    if (req.method !== 'POST' || !format) {
      // Not a model call, so it has no format and is not logged; the message says where to point the client.
      req.resume();
      send(res, 404, {}, notFoundBody(req.method ?? 'GET', path));
      return;
    }

    // Aborted when the client goes away or close() runs; every wait below listens to it.
    const controller = new AbortController();
    this.inFlight.set(res, controller);
    res.on('close', () => {
      controller.abort();
      this.inFlight.delete(res);
    });

    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return; // The client went away mid-body.
    }
    let body: unknown = raw;
    let isJson = false;
    try {
      body = JSON.parse(raw);
      isJson = true;
    } catch {
      // Logged as raw text and answered 400 below.
    }
    const parsed = isJson ? format.parse(body) : undefined;
    const request: MockRequest = {
      id: this.nextRequestId++,
      format: format.name,
      path,
      ...(parsed?.view ?? { model: '', system: '', messages: [], toolNames: [] }),
      headers: headersOf(req),
      body,
      receivedAt: Date.now(),
    };
    this.log.push(request);
    this.served += 1;
    if (this.log.length > this.keepRequests) this.log.shift();

    const requestId = `req_${request.id}`;
    const answer = (response: WireResponse, headers: Record<string, string> = {}): void => {
      if (controller.signal.aborted) return;
      request.status = response.status;
      send(res, response.status, { [format.requestIdHeader]: requestId, ...headers }, response.body);
    };
    const fail = (error: WireError, headers?: Record<string, string>): void => answer(format.renderError(error, requestId), headers);

    // Protocol problems are the mock's own answers: they use no scripted reply.
    if (!parsed) return fail({ kind: 'bad_request', message: `mock model server: the request body is not valid JSON: ${raw.slice(0, 200)}` });
    if (parsed.problem) return fail({ kind: 'bad_request', message: parsed.problem });

    // Taken at arrival, so concurrent requests get replies in arrival order whatever their latency.
    const reply = await this.nextReply(request);
    if (typeof reply === 'string') return fail({ kind: 'server_error', status: 500, message: reply });
    if (reply.latencyMs) {
      try {
        await delay(reply.latencyMs, undefined, { signal: controller.signal });
      } catch {
        return;
      }
    }

    const fault = reply.fault;
    if (fault?.kind === 'hang') return; // Left open: the client's abort or close() ends it.
    if (fault?.kind === 'rate_limit') return fail(fault, retryHeaders(fault));
    if (fault?.kind === 'unauthorized' && fault.echoKey) {
      return fail({ kind: 'unauthorized', key: request.headers['x-api-key'] ?? request.headers.authorization?.replace(/^Bearer\s+/i, '') });
    }
    if (fault) return fail(fault);
    try {
      const response = format.renderReply(reply, {
        model: request.model,
        stopReason: resolveStopReason(reply),
        usage: resolveUsage(reply, request),
        nextId: () => ++this.idSequence,
      });
      if (!parsed.stream) return answer(response);
      request.status = response.status;
      await stream(res, { [format.requestIdHeader]: requestId }, streamEvents(format.name, response.body, { includeUsage: parsed.includeUsage === true }), reply.streamDelayMs ?? 0, controller.signal);
    } catch (error) {
      if (!(error instanceof UnrepresentableReply)) throw error;
      fail({ kind: 'server_error', status: 500, message: error.message });
    }
  }

  /** The next reply for a request, or a message saying why there is none. */
  private async nextReply(request: MockRequest): Promise<ScriptedReply | string> {
    const scripted = this.queue.shift();
    if (scripted) return scripted;
    if (!this.handler) {
      return (
        `mock model server: no scripted reply left for request #${request.id} (${request.format}, model '${request.model}'). ` +
        'Script more replies with server.script(...) or answer from the conversation with server.handle(...).'
      );
    }
    let reply: unknown;
    try {
      reply = await this.handler(request);
    } catch (error) {
      return `mock model server: the handler threw for request #${request.id}: ${error instanceof Error ? error.message : String(error)}`;
    }
    const problem = replyProblem(reply);
    return problem ? `mock model server: the handler's reply for request #${request.id} is invalid: ${problem}` : (reply as ScriptedReply);
  }
}

function retryHeaders(fault: { retryAfterSeconds?: number; retryAfterMs?: number }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  return headers;
}

/** Readable by both SDKs: OpenAI reads `error.message`, Anthropic the whole body. */
function notFoundBody(method: string, path: string): unknown {
  const served = formats.map((format) => `POST ${format.path} (${format.name})`).join(' and ');
  return {
    type: 'error',
    error: {
      type: 'not_found_error',
      message:
        `mock model server: no route for ${method} ${path}. It serves ${served}; ` +
        'give the OpenAI client baseURL server.openaiBaseUrl and the Anthropic client server.anthropicBaseUrl.',
    },
  };
}

/** Sends a reply as server-sent events, pausing before each piece; stops when the client goes away. */
async function stream(res: ServerResponse, headers: Record<string, string>, events: SseEvent[], delayMs: number, signal: AbortSignal): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...headers });
  for (const event of events) {
    if (event.piece && delayMs > 0) {
      try {
        await delay(delayMs, undefined, { signal });
      } catch {
        return;
      }
    }
    if (res.destroyed) return;
    res.write(sseText(event));
  }
  res.end();
}
