import { arrayOf, isRecord, stringOf, textOf } from './json-shapes.ts';
import type { MockMessage, ScriptedStopReason } from './scripted-reply.ts';
import type { ParsedRequest, WireError, WireFormat, WireResponse } from './wire-format.ts';

/** OpenAI Chat Completions, as the `openai` SDK (v6) reads it (streamed by `sse-stream.ts`). */
export const openaiFormat: WireFormat = {
  name: 'openai',
  path: '/v1/chat/completions',
  requestIdHeader: 'x-request-id',

  parse(body: unknown): ParsedRequest {
    const request = isRecord(body) ? body : {};
    const system: string[] = [];
    const messages: MockMessage[] = [];
    for (const message of arrayOf(request.messages).filter(isRecord)) {
      switch (message.role) {
        case 'system':
        case 'developer':
          system.push(textOf(message.content));
          break;
        case 'user':
          messages.push({ role: 'user', content: textOf(message.content) });
          break;
        case 'assistant':
          messages.push({ role: 'assistant', content: textOf(message.content), toolCalls: toolCallsOf(message.tool_calls) });
          break;
        case 'tool':
          // Chat Completions has no error flag on tool results.
          messages.push({ role: 'tool', toolCallId: stringOf(message.tool_call_id), content: textOf(message.content), isError: false });
          break;
      }
    }
    const maxTokens = request.max_completion_tokens ?? request.max_tokens;
    return {
      view: {
        model: stringOf(request.model),
        system: system.join('\n'),
        messages,
        toolNames: toolNamesOf(request),
        ...(typeof maxTokens === 'number' ? { maxTokens } : {}),
      },
      stream: request.stream === true,
      includeUsage: isRecord(request.stream_options) && request.stream_options.include_usage === true,
      problem: !isRecord(body)
        ? 'The request body must be a JSON object.'
        : typeof request.model !== 'string'
          ? 'You must provide a model parameter.'
          : !Array.isArray(request.messages)
            ? "'messages' is a required property."
            : undefined,
    };
  },

  renderReply(reply, context): WireResponse {
    const id = `chatcmpl-${context.nextId()}`;
    const toolCalls = (reply.toolCalls ?? []).map((call) => ({
      ...(call.id === null ? {} : { id: call.id ?? `call_${context.nextId()}` }),
      type: 'function' as const,
      function: {
        name: call.name,
        // A string goes out verbatim: that is how a test sends malformed JSON.
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
    const { inputTokens, outputTokens, cachedInputTokens } = context.usage;
    return {
      status: 200,
      body: {
        id,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: context.model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              // The API sends null content alongside tool calls when there is no text.
              content: reply.text ?? (toolCalls.length > 0 ? null : ''),
              refusal: null,
              annotations: [],
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finishReasons[context.stopReason],
          },
        ],
        usage: {
          prompt_tokens: inputTokens,
          completion_tokens: outputTokens,
          total_tokens: inputTokens + outputTokens,
          prompt_tokens_details: { cached_tokens: cachedInputTokens, audio_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
        },
        service_tier: 'default',
      },
    };
  },

  renderError(error: WireError): WireResponse {
    const [status, type, code, message] = describe(error);
    return { status, body: { error: { message, type, param: null, code } } };
  },
};

const finishReasons: Record<ScriptedStopReason, string> = {
  end_turn: 'stop',
  tool_calls: 'tool_calls',
  max_tokens: 'length',
};

/** Status, `type`, `code` and message, as the API sends them for each failure. */
function describe(error: WireError): [number, string, string | null, string] {
  switch (error.kind) {
    case 'rate_limit':
      return [429, 'requests', 'rate_limit_exceeded', 'Rate limit reached for requests (scripted by the mock model server).'];
    case 'server_error':
      return [error.status ?? 500, 'server_error', null, error.message ?? 'The server had an error while processing your request (scripted by the mock model server).'];
    case 'overloaded':
      return [503, 'server_error', null, 'The server is overloaded or not ready yet (scripted by the mock model server).'];
    case 'bad_request':
      return [400, 'invalid_request_error', null, error.message ?? 'Invalid request (scripted by the mock model server).'];
    case 'unauthorized':
      return [401, 'invalid_request_error', 'invalid_api_key', `Incorrect API key provided${error.key ? `: ${error.key}` : ''} (scripted by the mock model server).`];
  }
}

function toolCallsOf(value: unknown): { id: string; name: string; arguments: string }[] {
  return arrayOf(value)
    .filter(isRecord)
    .map((call) => {
      // `custom` tools carry free-form input instead of JSON arguments.
      const fn = isRecord(call.function) ? call.function : isRecord(call.custom) ? call.custom : {};
      return { id: stringOf(call.id), name: stringOf(fn.name), arguments: stringOf(fn.arguments ?? fn.input) };
    });
}

function toolNamesOf(request: Record<string, unknown>): string[] {
  const tools = arrayOf(request.tools)
    .filter(isRecord)
    .map((tool) => (isRecord(tool.function) ? tool.function : isRecord(tool.custom) ? tool.custom : {}));
  // The deprecated `functions` parameter still names tools.
  const functions = arrayOf(request.functions).filter(isRecord);
  return [...tools, ...functions].map((tool) => stringOf(tool.name));
}
