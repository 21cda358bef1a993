/**
 * The Anthropic adapter: the Messages API through the official
 * `@anthropic-ai/sdk` client, non-streaming.
 */
import type Anthropic from '@anthropic-ai/sdk';
import type { APIError } from '@anthropic-ai/sdk';
import type {
  ContentBlockParam,
  Message as AnthropicMessage,
  MessageCreateParamsNonStreaming,
  MessageParam,
  StopReason as AnthropicStopReason,
  Tool,
  Usage,
} from '@anthropic-ai/sdk/resources/messages';
import { listPricesOf } from '../budget/prices.ts';
import { MissingApiKeyError } from '../errors.ts';
import { defineProvider } from './define-provider.ts';
import type { Message, StopReason, ToolCall, TokenUsage } from '../messages.ts';
import { abortReason, assertNoUrlCredentials, ModelCallError, modelConnectionError, modelErrorForStatus } from './model-errors.ts';
import type { ModelProvider, ModelRequest, ModelResponse } from './provider.ts';

/**
 * The `@anthropic-ai/sdk` package loads with the first model call: commands that only
 * start, inspect or answer runs never pay the time it takes to load.
 */
let sdk: typeof import('@anthropic-ai/sdk') | undefined;
export async function loadAnthropicSdk(): Promise<typeof import('@anthropic-ai/sdk')> {
  return (sdk ??= await import('@anthropic-ai/sdk'));
}

export const ANTHROPIC_API_KEY = 'ANTHROPIC_API_KEY';
export const ANTHROPIC_BASE_URL = 'ANTHROPIC_BASE_URL';

const defaultBaseURL = 'https://api.anthropic.com';
/**
 * Always passed to the client: without an explicit timeout the SDK refuses
 * non-streaming calls whose `max_tokens` suggests more than ten minutes.
 */
const defaultTimeoutMs = 10 * 60 * 1000;

export interface AnthropicProviderOptions {
  /** Default: `ANTHROPIC_API_KEY`. */
  apiKey?: string;
  /** Default: `ANTHROPIC_BASE_URL`, else Anthropic itself. */
  baseURL?: string;
  /** Per-request timeout. Default 10 minutes. */
  timeoutMs?: number;
}

type Env = Record<string, string | undefined>;

export class AnthropicProvider implements ModelProvider {
  readonly name = 'anthropic';
  readonly baseURL: string;
  private readonly clientOptions: ConstructorParameters<typeof Anthropic>[0];
  private client?: Anthropic;

  /** `env` is read for the options not given (default: `process.env`). */
  constructor(options: AnthropicProviderOptions = {}, env: Env = process.env) {
    const baseURL = nonEmpty(options.baseURL) ?? nonEmpty(env[ANTHROPIC_BASE_URL]);
    const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env[ANTHROPIC_API_KEY]);
    if (!apiKey) throw new MissingApiKeyError('Anthropic', ANTHROPIC_API_KEY);
    assertNoUrlCredentials('Anthropic', ANTHROPIC_BASE_URL, baseURL);
    this.baseURL = baseURL ?? defaultBaseURL;
    this.clientOptions = {
      apiKey,
      baseURL: baseURL ?? null,
      timeout: options.timeoutMs ?? defaultTimeoutMs,
      maxRetries: 0, // Temporal owns retries.
    };
  }

  private async sdkClient(): Promise<Anthropic> {
    const { default: Client } = await loadAnthropicSdk();
    return (this.client ??= new Client(this.clientOptions));
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    const body = toAnthropicRequest(request);
    let response: AnthropicMessage;
    try {
      const client = await this.sdkClient();
      if (request.onStream) {
        const { onStream } = request;
        const stream = client.messages.stream(body, { signal: request.signal });
        // Anthropic counts the input in its first event: a stream cut off later is still billed for it.
        let inputTokens: number | undefined;
        stream.on('streamEvent', (event) => {
          if (event.type === 'message_start') inputTokens = fromAnthropicUsage(event.message.usage).inputTokens;
        });
        stream.on('text', (_delta, text) => onStream({ text, ...(inputTokens !== undefined ? { inputTokens } : {}) }));
        response = await stream.finalMessage();
      } else {
        response = await client.messages.create(body, { signal: request.signal });
      }
    } catch (error) {
      throw toAnthropicError(error, request.signal, this.baseURL);
    }
    return fromAnthropicResponse(response, request.output?.name);
  }
}

/** Neutral request → Messages API body. Pure. */
export function toAnthropicRequest(request: Omit<ModelRequest, 'signal'>): MessageCreateParamsNonStreaming {
  const body: MessageCreateParamsNonStreaming = {
    model: request.model,
    max_tokens: request.maxOutputTokens,
    messages: toAnthropicMessages(request.messages),
  };
  // An agent loop sends the same tools, instructions and conversation prefix every turn: each gets a
  // cache breakpoint, so the next call reads them from Anthropic's prompt cache at a tenth of the price.
  // Anthropic's way to structured output is a tool the model must call: with other tools it may call
  // any (`any`), without them only this one. `fromAnthropicResponse` turns that call back into the answer.
  const tools = request.output ? [...request.tools, { name: request.output.name, description: request.output.description, parameters: request.output.schema }] : request.tools;
  if (tools.length > 0) {
    body.tools = tools.map(
      (tool, index): Tool => ({
        name: tool.name,
        description: tool.description,
        input_schema: { type: 'object', ...tool.parameters } as Tool.InputSchema,
        ...(index === tools.length - 1 ? { cache_control: cacheBreakpoint } : {}),
      }),
    );
  }
  if (request.output) body.tool_choice = request.tools.length > 0 ? { type: 'any' } : { type: 'tool', name: request.output.name };
  if (request.instructions.trim() !== '') body.system = [{ type: 'text', text: request.instructions, cache_control: cacheBreakpoint }];
  const lastBlock = body.messages.at(-1)?.content.at(-1);
  if (lastBlock && typeof lastBlock === 'object') Object.assign(lastBlock, { cache_control: cacheBreakpoint });
  return body;
}

/** Anthropic's default (five-minute) prompt cache: writes cost 1.25× input, reads 0.1×. */
const cacheBreakpoint = { type: 'ephemeral' } as const;

/**
 * Neutral messages → Messages API messages. Anthropic wants user and assistant
 * turns to alternate, so consecutive messages of one role share one message:
 * the results of one turn's tool calls become one user message of
 * `tool_result` blocks, and a user text that follows joins it. Empty text is
 * dropped (the API refuses empty text blocks).
 */
export function toAnthropicMessages(messages: Message[]): MessageParam[] {
  const out: { role: 'user' | 'assistant'; content: ContentBlockParam[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        push('user', message.content === '' ? [] : [{ type: 'text', text: message.content }]);
        break;
      case 'assistant':
        push('assistant', [
          ...(message.content === '' ? [] : [{ type: 'text' as const, text: message.content }]),
          ...message.toolCalls.map((call) => ({
            type: 'tool_use' as const,
            id: toolUseId(call.id),
            name: call.name,
            input: parseToolInput(call.arguments),
          })),
        ]);
        break;
      case 'tool':
        push('user', [
          {
            type: 'tool_result',
            tool_use_id: toolUseId(message.toolCallId),
            content: message.content,
            ...(message.isError ? { is_error: true } : {}),
          },
        ]);
        break;
    }
  }
  return out;
}

/**
 * Arguments as an object for a `tool_use` block. They can be malformed JSON when
 * they came from another provider; the tool already answered that call with a
 * validation error, so `{}` keeps the conversation valid and going.
 */
export function parseToolInput(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Anthropic accepts `[a-zA-Z0-9_-]+` ids; ids from other providers may hold more. Applied to both ends of a pair. */
function toolUseId(id: string): string {
  return id.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool_call';
}

/**
 * Messages API response → neutral response. Pure. With `outputTool`, a call of
 * that tool is the structured answer: it becomes the reply's text, and any other
 * call in the same reply is dropped, since the model said it is done.
 */
export function fromAnthropicResponse(response: AnthropicMessage, outputTool?: string): ModelResponse {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of response.content ?? []) {
    if (block.type === 'text') text += block.text;
    else if (block.type === 'tool_use') toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
  }
  const answer = outputTool === undefined ? undefined : toolCalls.find((call) => call.name === outputTool);
  if (answer) {
    return {
      message: { role: 'assistant', content: answer.arguments, toolCalls: [] },
      usage: fromAnthropicUsage(response.usage),
      stopReason: response.stop_reason === 'max_tokens' ? 'max_tokens' : 'end_turn',
      ...(response.model ? { modelVersion: response.model } : {}),
    };
  }
  return {
    message: { role: 'assistant', content: text, toolCalls },
    usage: fromAnthropicUsage(response.usage),
    stopReason: anthropicStopReason(response.stop_reason, toolCalls.length > 0),
    ...(response.model ? { modelVersion: response.model } : {}),
  };
}

/** Anthropic counts cached input apart from `input_tokens`; the neutral count includes it. */
export function fromAnthropicUsage(usage: Partial<Usage> | null | undefined): TokenUsage {
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  return {
    inputTokens: (usage?.input_tokens ?? 0) + cacheRead + cacheWrite,
    outputTokens: usage?.output_tokens ?? 0,
    cachedInputTokens: cacheRead,
    ...(cacheWrite > 0 ? { cacheWriteInputTokens: cacheWrite } : {}),
  };
}

export function anthropicStopReason(stopReason: AnthropicStopReason | string | null | undefined, hasToolCalls: boolean): StopReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
      return 'end_turn';
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'refusal':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}

/** As `toOpenAIError`: the caller's abort stays an abort; the rest become classified `ModelCallError`s. */
export function toAnthropicError(error: unknown, signal: AbortSignal | undefined, baseURL = defaultBaseURL): unknown {
  if (signal?.aborted) return abortReason(signal);
  // Errors of the SDK's classes can only come from a loaded SDK.
  if (!sdk) return error;
  const { APIConnectionError, APIConnectionTimeoutError, APIError, AnthropicError } = sdk;
  if (error instanceof APIConnectionTimeoutError) return modelConnectionError('Anthropic', baseURL, error, true);
  if (error instanceof APIConnectionError) return modelConnectionError('Anthropic', baseURL, error.cause ?? error, false);
  if (error instanceof APIError && typeof error.status === 'number') {
    return modelErrorForStatus({
      provider: 'Anthropic',
      status: error.status,
      serverMessage: anthropicServerMessage(error),
      headers: error.headers,
      apiKeyVariable: ANTHROPIC_API_KEY,
      cause: error,
    });
  }
  if (error instanceof AnthropicError) {
    return new ModelCallError(`The Anthropic client failed: ${error.message}`, { kind: 'fatal', provider: 'Anthropic', cause: error });
  }
  return error;
}

function anthropicServerMessage(error: APIError): string | undefined {
  if (error.apiMessage) return error.apiMessage;
  const body = error.error as { error?: { message?: unknown }; message?: unknown } | undefined;
  if (typeof body?.error?.message === 'string') return body.error.message;
  if (typeof body?.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s+/, '') || undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export const anthropicProvider = defineProvider({
  id: 'anthropic',
  label: 'Anthropic',
  apiKeyVariable: ANTHROPIC_API_KEY,
  variables: [ANTHROPIC_BASE_URL],
  create: (env) => new AnthropicProvider({}, env),
  prices: listPricesOf('anthropic'),
  contextWindows: { 'claude-': 200_000 },
  // Claude's tokenizer counts about a fifth more than o200k on English and code.
  tokenMargin: 1.25,
  loadSdk: loadAnthropicSdk,
});
