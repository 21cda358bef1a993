/**
 * The mock model server's vocabulary, independent of any provider's wire format:
 * what a test scripts (`ScriptedReply`) and what the server records (`MockRequest`).
 * Plain data only, so a reply can be written inline and a log entry compared with
 * `toEqual`.
 */

export type MockFormat = 'openai' | 'openai-responses' | 'anthropic';

export interface ScriptedToolCall {
  /**
   * Defaults to `call_<n>` (OpenAI) or `toolu_<n>` (Anthropic), unique per server.
   * Script the same id on several turns, or twice in one reply, to play servers that
   * reuse ids; `null` leaves the id out on the OpenAI wire, as some compatible
   * servers do (Anthropic always sends one, so there it gets the default).
   */
  id?: string | null;
  name: string;
  /**
   * An object is serialised as JSON. A string is sent verbatim on the OpenAI wire,
   * which is how a test injects malformed JSON. The Anthropic wire carries `input` as
   * an object, so there a string must parse to a JSON object; otherwise the server
   * answers 500 saying so (script arguments that violate the tool's schema instead).
   */
  arguments: Record<string, unknown> | string;
}

export interface ScriptedUsage {
  /**
   * Prompt tokens, cached ones included (OpenAI's `prompt_tokens`). On the Anthropic
   * wire the cached part is reported apart, as Anthropic does:
   * `input_tokens = inputTokens - cachedInputTokens`.
   */
  inputTokens?: number;
  outputTokens?: number;
  /** The part of `inputTokens` served from the prompt cache. Default 0. */
  cachedInputTokens?: number;
  /** The part of `inputTokens` written to the prompt cache: Anthropic's `cache_creation_input_tokens`. Default 0. */
  cacheWriteInputTokens?: number;
}

export type ScriptedStopReason = 'end_turn' | 'tool_calls' | 'max_tokens';

export type ScriptedFault =
  /** 429; sends `retry-after` and/or `retry-after-ms` only when scripted. */
  | { kind: 'rate_limit'; retryAfterSeconds?: number; retryAfterMs?: number }
  /** Default status 500. */
  | { kind: 'server_error'; status?: number }
  /** Anthropic: 529 `overloaded_error`. OpenAI has no 529: 503. */
  | { kind: 'overloaded' }
  /** 400 `invalid_request_error`. */
  | { kind: 'bad_request'; message?: string }
  /** 401. `echoKey` quotes the key the client sent in the message, as some providers do. */
  | { kind: 'unauthorized'; echoKey?: boolean }
  /** Never answers, until the client aborts or the server closes. */
  | { kind: 'hang' };

export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Unscripted counts are estimated at about 4 characters a token, at least 1. */
  usage?: ScriptedUsage;
  /** Default: `tool_calls` when there are tool calls, else `end_turn`. */
  stopReason?: ScriptedStopReason;
  /** Delay before answering, faults included. */
  latencyMs?: number;
  /** When the client asks for a stream: the delay before each piece of text (about 12 characters). Default 0. */
  streamDelayMs?: number;
  /** Answer with this failure instead of a completion. */
  fault?: ScriptedFault;
}

export type MockMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls: { id: string; name: string; arguments: string }[] }
  | { role: 'tool'; toolCallId: string; content: string; isError: boolean };

export type MockToolResult = Extract<MockMessage, { role: 'tool' }>;

/** One request as the server received it, with a provider-neutral view of it. */
export interface MockRequest {
  /** 1-based arrival order (restarts at 1 after `reset()`). */
  id: number;
  format: MockFormat;
  path: string;
  model: string;
  /** OpenAI system/developer messages, or Anthropic `system`, joined by newlines. */
  system: string;
  messages: MockMessage[];
  toolNames: string[];
  /** `max_tokens`, or OpenAI's `max_completion_tokens`. */
  maxTokens?: number;
  headers: Record<string, string>;
  /** The parsed JSON body (the raw text when it was not JSON). */
  body: unknown;
  receivedAt: number;
  /** The HTTP status it was answered with; unset while pending or when never answered. */
  status?: number;
}

/** Decides a reply from the request, when the script queue is empty. */
export type ReplyHandler = (request: MockRequest) => ScriptedReply | Promise<ScriptedReply>;
