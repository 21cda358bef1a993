/**
 * OpenAI's Responses API, translated from and to Cairn's neutral messages. Pure;
 * `OpenAIProvider` sends it when a model needs it (some newer models answer only
 * there) or when it is chosen (`api: 'responses'`, `OPENAI_API=responses`).
 * Nothing is stored at OpenAI (`store: false`): the transcript is Cairn's, and
 * every request carries the conversation, as Chat Completions does.
 */
import type { Response, ResponseCreateParamsNonStreaming, ResponseInputItem } from 'openai/resources/responses/responses';
import type { Message, StopReason, ToolCall, TokenUsage } from '../messages.ts';
import { ModelCallError } from './model-errors.ts';
import type { ModelRequest, ModelResponse } from './provider.ts';

export type OpenAIApi = 'chat' | 'responses';

/** Models OpenAI serves only through the Responses API. */
const responsesOnly = /^(o1-pro|o3-pro|o3-deep-research|o4-mini-deep-research|gpt-5-pro|gpt-5(\.\d+)?-codex|codex-|computer-use)/;

/** The API a model is called through: the one chosen, else the only one it has, else Chat Completions. */
export function openAIApiFor(model: string, chosen: OpenAIApi | undefined): OpenAIApi {
  return chosen ?? (responsesOnly.test(model) ? 'responses' : 'chat');
}

export function toResponsesRequest(request: Omit<ModelRequest, 'signal' | 'onStream'>): ResponseCreateParamsNonStreaming {
  const body: ResponseCreateParamsNonStreaming = {
    model: request.model,
    input: toResponsesInput(request.messages),
    max_output_tokens: request.maxOutputTokens,
    store: false,
  };
  if (request.instructions.trim() !== '') body.instructions = request.instructions;
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({ type: 'function', name: tool.name, description: tool.description, parameters: tool.parameters, strict: false }));
  }
  if (request.output) {
    body.text = { format: { type: 'json_schema', name: request.output.name, description: request.output.description, schema: request.output.schema, strict: false } };
  }
  return body;
}

/** Messages → input items: a tool call is an item of its own, and its result refers to it by `call_id`. */
export function toResponsesInput(messages: Message[]): ResponseInputItem[] {
  return messages.flatMap((message): ResponseInputItem[] => {
    switch (message.role) {
      case 'user':
        return [{ role: 'user', content: message.content }];
      case 'assistant':
        return [
          ...(message.content === '' ? [] : [{ role: 'assistant' as const, content: message.content }]),
          ...message.toolCalls.map((call) => ({ type: 'function_call' as const, call_id: call.id, name: call.name, arguments: call.arguments })),
        ];
      case 'tool':
        return [{ type: 'function_call_output', call_id: message.toolCallId, output: message.content }];
    }
  });
}

export function fromResponsesResponse(response: Response): ModelResponse {
  if (response.status === 'failed' || !Array.isArray(response.output)) {
    throw new ModelCallError(`OpenAI's Responses API answered without a response (status ${response.status ?? 'unknown'}${response.error ? `: ${response.error.message}` : ''}).`, {
      kind: response.status === 'failed' ? 'transient' : 'fatal',
      provider: 'OpenAI',
    });
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const item of response.output) {
    if (item.type === 'message') {
      for (const part of item.content) text += part.type === 'output_text' ? part.text : part.refusal;
    } else if (item.type === 'function_call') {
      toolCalls.push({ id: item.call_id ?? '', name: item.name, arguments: item.arguments });
    }
  }
  return {
    message: { role: 'assistant', content: text, toolCalls },
    usage: fromResponsesUsage(response.usage),
    stopReason: responsesStopReason(response, toolCalls.length > 0),
    ...(response.model ? { modelVersion: response.model } : {}),
  };
}

export function fromResponsesUsage(usage: Response['usage'] | null | undefined): TokenUsage {
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cachedInputTokens: usage?.input_tokens_details?.cached_tokens ?? 0,
  };
}

function responsesStopReason(response: Response, hasToolCalls: boolean): StopReason {
  if (response.status === 'incomplete') return response.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'max_tokens';
  return hasToolCalls ? 'tool_calls' : 'end_turn';
}
