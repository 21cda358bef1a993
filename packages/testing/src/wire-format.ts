import type { MockFormat, MockMessage, ScriptedReply, ScriptedStopReason } from './scripted-reply.ts';

/**
 * One provider's wire format: reads its request body into the neutral view and writes
 * replies and errors the way its official SDK expects them. The server knows nothing
 * else about a provider, so adding one is adding a file.
 */
export interface WireFormat {
  readonly name: MockFormat;
  /** The one endpoint it serves, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** The response header that carries a request id, which the SDK exposes on errors. */
  readonly requestIdHeader: string;
  parse(body: unknown): ParsedRequest;
  /** Throws `UnrepresentableReply` when the script cannot be said on this wire. */
  renderReply(reply: ScriptedReply, context: ReplyContext): WireResponse;
  renderError(error: WireError, requestId: string): WireResponse;
}

export interface RequestView {
  model: string;
  system: string;
  messages: MockMessage[];
  toolNames: string[];
  maxTokens?: number;
}

export interface ParsedRequest {
  view: RequestView;
  stream: boolean;
  /** OpenAI: `stream_options.include_usage`, so a streamed reply ends with its usage. */
  includeUsage?: boolean;
  /** Why a real server would reject the body with a 400, if it would. */
  problem?: string;
}

export interface ReplyContext {
  model: string;
  stopReason: ScriptedStopReason;
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteInputTokens: number };
  /** A server-wide counter for response and tool call ids, so they never repeat. */
  nextId(): number;
}

export interface WireResponse {
  status: number;
  body: unknown;
}

/** Scripted faults (all but `hang`, which sends nothing) and the server's own complaints. */
export type WireError =
  | { kind: 'rate_limit' }
  | { kind: 'server_error'; status?: number; message?: string }
  | { kind: 'overloaded' }
  | { kind: 'bad_request'; message?: string }
  /** With `key`: the key the client sent, quoted back. */
  | { kind: 'unauthorized'; key?: string };

export class UnrepresentableReply extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnrepresentableReply';
  }
}
