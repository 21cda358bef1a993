/**
 * The OpenAI adapter: Chat Completions through the official `openai` client,
 * non-streaming. It also serves any OpenAI-compatible server (set a base URL).
 */
import type OpenAI from 'openai';
import type { APIError } from 'openai';
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { listPricesOf } from '../budget/prices.ts';
import { CairnError, MissingApiKeyError } from '../errors.ts';
import type { Response } from 'openai/resources/responses/responses';
import { fromResponsesResponse, openAIApiFor, toResponsesRequest, type OpenAIApi } from './openai-responses.ts';
import { defineProvider } from './define-provider.ts';
import type { Message, StopReason, ToolCall, TokenUsage } from '../messages.ts';
import { abortReason, assertNoUrlCredentials, ModelCallError, modelConnectionError, modelErrorForStatus } from './model-errors.ts';
import type { ModelProvider, ModelRequest, ModelResponse } from './provider.ts';

/**
 * The `openai` package loads with the first model call: commands that only
 * start, inspect or answer runs never pay the time it takes to load.
 */
let sdk: typeof import('openai') | undefined;
export async function loadOpenAISdk(): Promise<typeof import('openai')> {
  return (sdk ??= await import('openai'));
}

export const OPENAI_API_KEY = 'OPENAI_API_KEY';
export const OPENAI_BASE_URL = 'OPENAI_BASE_URL';
export const OPENAI_API = 'OPENAI_API';

/** Where the SDK sends requests when no base URL is given. */
const defaultBaseURL = 'https://api.openai.com/v1';
/**
 * Sent when a custom base URL is set and no key is: local OpenAI-compatible
 * servers rarely check it, and the SDK refuses to run without one.
 */
const placeholderApiKey = 'not-needed';
const defaultTimeoutMs = 10 * 60 * 1000;

/** The request field that caps the output. */
export type MaxTokensField = 'max_completion_tokens' | 'max_tokens';

export interface OpenAIProviderOptions {
  /** Default: `OPENAI_API_KEY`. */
  apiKey?: string;
  /** Default: `OPENAI_BASE_URL`, else OpenAI itself. */
  baseURL?: string;
  /** Per-request timeout. Default 10 minutes. */
  timeoutMs?: number;
  /**
   * `max_completion_tokens` (default) suits OpenAI and most compatible servers;
   * choose `max_tokens` for older servers that only know that one.
   */
  maxTokensField?: MaxTokensField;
  /**
   * Chat Completions (`chat`) or the Responses API (`responses`). Default: `OPENAI_API`,
   * else the Responses API for the models that only it serves, else Chat Completions.
   */
  api?: OpenAIApi;
}

type Env = Record<string, string | undefined>;

export class OpenAIProvider implements ModelProvider {
  readonly name = 'openai';
  readonly baseURL: string;
  private readonly clientOptions: ConstructorParameters<typeof OpenAI>[0];
  private client?: OpenAI;
  private readonly maxTokensField: MaxTokensField;
  private readonly api?: OpenAIApi;

  /** `env` is read for the options not given (default: `process.env`). */
  constructor(options: OpenAIProviderOptions = {}, env: Env = process.env) {
    const baseURL = nonEmpty(options.baseURL) ?? nonEmpty(env[OPENAI_BASE_URL]);
    let apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env[OPENAI_API_KEY]);
    if (!apiKey) {
      if (!baseURL) throw new MissingApiKeyError('OpenAI', OPENAI_API_KEY);
      apiKey = placeholderApiKey;
    }
    assertNoUrlCredentials('OpenAI', OPENAI_BASE_URL, baseURL);
    this.baseURL = baseURL ?? defaultBaseURL;
    this.maxTokensField = options.maxTokensField ?? 'max_completion_tokens';
    const api = options.api ?? nonEmpty(env[OPENAI_API]);
    if (api !== undefined && api !== 'chat' && api !== 'responses') {
      throw new CairnError(`${OPENAI_API} is ${JSON.stringify(api)}; it must be 'chat' (Chat Completions) or 'responses' (the Responses API).`, { hint: `Unset ${OPENAI_API} to choose per model.` });
    }
    this.api = api;
    this.clientOptions = {
      apiKey,
      baseURL: baseURL ?? null,
      timeout: options.timeoutMs ?? defaultTimeoutMs,
      maxRetries: 0, // Temporal owns retries.
    };
  }

  private async sdkClient(): Promise<OpenAI> {
    const { default: Client } = await loadOpenAISdk();
    return (this.client ??= new Client(this.clientOptions));
  }

  async generate(request: ModelRequest): Promise<ModelResponse> {
    if (openAIApiFor(request.model, this.api) === 'responses') return this.respond(request);
    const body = toOpenAIRequest(request, this.maxTokensField);
    let completion: ChatCompletion;
    try {
      const client = await this.sdkClient();
      if (request.onStream) {
        const { onStream } = request;
        // Usage comes in a last chunk only when asked for.
        const stream = client.chat.completions.stream({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: request.signal });
        stream.on('content', (_delta, text) => onStream({ text }));
        completion = await stream.finalChatCompletion();
      } else {
        completion = await client.chat.completions.create(body, { signal: request.signal });
      }
    } catch (error) {
      throw toOpenAIError(error, request.signal, this.baseURL);
    }
    return fromOpenAIResponse(completion);
  }

  /** The same call through the Responses API. */
  private async respond(request: ModelRequest): Promise<ModelResponse> {
    const body = toResponsesRequest(request);
    let response: Response;
    try {
      const client = await this.sdkClient();
      if (request.onStream) {
        const { onStream } = request;
        const stream = client.responses.stream({ ...body, stream: true }, { signal: request.signal });
        let text = '';
        stream.on('response.output_text.delta', (event) => onStream({ text: (text += event.delta) }));
        response = await stream.finalResponse();
      } else {
        response = await client.responses.create(body, { signal: request.signal });
      }
    } catch (error) {
      throw toOpenAIError(error, request.signal, this.baseURL);
    }
    return fromResponsesResponse(response);
  }
}

/** Neutral request → Chat Completions body. Pure. */
export function toOpenAIRequest(
  request: Omit<ModelRequest, 'signal'>,
  maxTokensField: MaxTokensField = 'max_completion_tokens',
): ChatCompletionCreateParamsNonStreaming {
  const messages: ChatCompletionMessageParam[] = [];
  if (request.instructions.trim() !== '') messages.push({ role: 'system', content: request.instructions });
  messages.push(...toOpenAIMessages(request.messages));
  const body: ChatCompletionCreateParamsNonStreaming = { model: request.model, messages };
  // OpenAI rejects an empty `tools` array, so it is left out when there are none.
  if (request.tools.length > 0) {
    body.tools = request.tools.map(
      (tool): ChatCompletionTool => ({
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: tool.parameters },
      }),
    );
  }
  if (request.output) {
    // Not strict: strict mode refuses optional properties, and the activity checks the reply against the agent's schema anyway.
    body.response_format = {
      type: 'json_schema',
      json_schema: { name: request.output.name, description: request.output.description, schema: request.output.schema, strict: false },
    };
  }
  body[maxTokensField] = request.maxOutputTokens;
  return body;
}

/**
 * Neutral messages → Chat Completions messages. Tool results keep their text;
 * Chat Completions has no error flag, so the tool activity's error text is what
 * tells the model a call failed.
 */
export function toOpenAIMessages(messages: Message[]): ChatCompletionMessageParam[] {
  return messages.map((message): ChatCompletionMessageParam => {
    switch (message.role) {
      case 'user':
        return { role: 'user', content: message.content };
      case 'assistant':
        if (message.toolCalls.length === 0) return { role: 'assistant', content: message.content };
        return {
          role: 'assistant',
          content: message.content === '' ? null : message.content,
          tool_calls: message.toolCalls.map((call) => ({
            id: call.id,
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          })),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    }
  });
}

/** Chat Completions response → neutral response. Pure. */
export function fromOpenAIResponse(completion: ChatCompletion): ModelResponse {
  const choice = completion.choices?.[0];
  if (!choice?.message) {
    throw new ModelCallError(`OpenAI returned a response without choices (model ${completion.model ?? 'unknown'}).`, {
      kind: 'fatal',
      provider: 'OpenAI',
      hint: 'An OpenAI-compatible server may not implement Chat Completions fully; check OPENAI_BASE_URL.',
    });
  }
  const { message } = choice;
  const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call) => {
    const fn = call.type === 'custom' ? { name: call.custom.name, arguments: call.custom.input } : call.function;
    return {
      // Some compatible servers leave ids out: '' says so, and Cairn's own id stands in (transcript/call-ids.ts).
      id: call.id ?? '',
      name: fn.name,
      // Verbatim when it is a string, as the contract asks; a few servers send an object.
      arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
    };
  });
  return {
    message: { role: 'assistant', content: message.content ?? message.refusal ?? '', toolCalls },
    usage: fromOpenAIUsage(completion.usage),
    stopReason: openAIStopReason(choice.finish_reason, toolCalls.length > 0),
    ...(completion.model ? { modelVersion: completion.model } : {}),
  };
}

export function fromOpenAIUsage(usage: ChatCompletion['usage'] | null | undefined): TokenUsage {
  return {
    inputTokens: usage?.prompt_tokens ?? 0,
    outputTokens: usage?.completion_tokens ?? 0,
    cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
  };
}

export function openAIStopReason(finishReason: string | null | undefined, hasToolCalls: boolean): StopReason {
  switch (finishReason) {
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'stop':
      // Several compatible servers say `stop` even when the turn ends in tool calls.
      return hasToolCalls ? 'tool_calls' : 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'other';
  }
}

/**
 * An SDK failure → what the activity needs: the caller's own abort is rethrown
 * as the abort it is (never a retryable model error); HTTP errors and
 * connection failures become classified `ModelCallError`s.
 */
export function toOpenAIError(error: unknown, signal: AbortSignal | undefined, baseURL = defaultBaseURL): unknown {
  if (signal?.aborted) return abortReason(signal);
  // Errors of the SDK's classes can only come from a loaded SDK.
  if (!sdk) return error;
  const { APIConnectionError, APIConnectionTimeoutError, APIError, OpenAIError } = sdk;
  if (error instanceof APIConnectionTimeoutError) return modelConnectionError('OpenAI', baseURL, error, true);
  if (error instanceof APIConnectionError) return modelConnectionError('OpenAI', baseURL, error.cause ?? error, false);
  if (error instanceof APIError && typeof error.status === 'number') {
    return modelErrorForStatus({
      provider: 'OpenAI',
      status: error.status,
      serverMessage: openAIServerMessage(error),
      headers: error.headers,
      apiKeyVariable: OPENAI_API_KEY,
      cause: error,
    });
  }
  if (error instanceof OpenAIError) {
    return new ModelCallError(`The OpenAI client failed: ${error.message}`, { kind: 'fatal', provider: 'OpenAI', cause: error });
  }
  return error;
}

function openAIServerMessage(error: APIError): string | undefined {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s+/, '') || undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

/** OpenAI itself, or one OpenAI-compatible server through OPENAI_BASE_URL (then the key may be left out). */
export const openaiProvider = defineProvider({
  id: 'openai',
  label: 'OpenAI',
  apiKeyVariable: OPENAI_API_KEY,
  variables: [OPENAI_BASE_URL, OPENAI_API],
  keyOptional: (env) => nonEmpty(env[OPENAI_BASE_URL]) !== undefined,
  create: (env) => new OpenAIProvider({}, env),
  prices: listPricesOf('openai'),
  contextWindows: { 'gpt-4.1': 1_047_576, 'gpt-4o': 128_000, 'gpt-5': 400_000, o1: 200_000, o3: 200_000, 'o4-mini': 200_000 },
  // o200k is OpenAI's own encoding: the margin covers framing only.
  tokenMargin: 1.02,
  loadSdk: loadOpenAISdk,
});
