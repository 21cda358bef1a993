import { arrayOf, isRecord, stringOf, textOf } from './json-shapes.ts';
import type { MockMessage, ScriptedStopReason, ScriptedToolCall } from './scripted-reply.ts';
import { UnrepresentableReply, type ParsedRequest, type WireError, type WireFormat, type WireResponse } from './wire-format.ts';

/** Anthropic Messages, as `@anthropic-ai/sdk` reads it (streamed by `sse-stream.ts`). */
export const anthropicFormat: WireFormat = {
  name: 'anthropic',
  path: '/v1/messages',
  requestIdHeader: 'request-id',

  parse(body: unknown): ParsedRequest {
    const request = isRecord(body) ? body : {};
    const system = request.system === undefined ? [] : [textOf(request.system)];
    const messages: MockMessage[] = [];
    for (const message of arrayOf(request.messages).filter(isRecord)) {
      if (message.role === 'user') messages.push(...userEntries(message.content));
      else if (message.role === 'assistant') messages.push(assistantEntry(message.content));
      else if (message.role === 'system') system.push(textOf(message.content));
    }
    return {
      view: {
        model: stringOf(request.model),
        system: system.join('\n'),
        messages,
        toolNames: arrayOf(request.tools).filter(isRecord).map((tool) => stringOf(tool.name)),
        ...(typeof request.max_tokens === 'number' ? { maxTokens: request.max_tokens } : {}),
      },
      stream: request.stream === true,
      problem: !isRecord(body)
        ? 'The request body must be a JSON object.'
        : typeof request.model !== 'string'
          ? 'model: Field required'
          : !Array.isArray(request.messages)
            ? 'messages: Field required'
            : typeof request.max_tokens !== 'number'
              ? 'max_tokens: Field required'
              : undefined,
    };
  },

  renderReply(reply, context): WireResponse {
    const id = `msg_${context.nextId()}`;
    const content: unknown[] = [];
    // The API never sends an empty text block (and rejects one sent back to it).
    if (reply.text) content.push({ type: 'text', text: reply.text, citations: null });
    for (const call of reply.toolCalls ?? []) {
      content.push({
        type: 'tool_use',
        id: call.id ?? `toolu_${context.nextId()}`,
        name: call.name,
        input: inputOf(call),
        caller: { type: 'direct' },
      });
    }
    const { inputTokens, outputTokens, cachedInputTokens, cacheWriteInputTokens } = context.usage;
    return {
      status: 200,
      body: {
        id,
        type: 'message',
        role: 'assistant',
        model: context.model,
        content,
        stop_reason: stopReasons[context.stopReason],
        stop_sequence: null,
        stop_details: null,
        container: null,
        diagnostics: null,
        usage: {
          // Anthropic counts cache reads and writes apart from `input_tokens`; their sum is the prompt.
          input_tokens: Math.max(0, inputTokens - cachedInputTokens - cacheWriteInputTokens),
          output_tokens: outputTokens,
          cache_read_input_tokens: cachedInputTokens,
          cache_creation_input_tokens: cacheWriteInputTokens,
          cache_creation: { ephemeral_5m_input_tokens: cacheWriteInputTokens, ephemeral_1h_input_tokens: 0 },
          server_tool_use: null,
          service_tier: 'standard',
          inference_geo: null,
          output_tokens_details: null,
          speed: null,
        },
      },
    };
  },

  renderError(error: WireError, requestId: string): WireResponse {
    const [status, type, message] = describe(error);
    return { status, body: { type: 'error', error: { type, message }, request_id: requestId } };
  },
};

const stopReasons: Record<ScriptedStopReason, string> = {
  end_turn: 'end_turn',
  tool_calls: 'tool_use',
  max_tokens: 'max_tokens',
};

function describe(error: WireError): [number, string, string] {
  switch (error.kind) {
    case 'rate_limit':
      return [429, 'rate_limit_error', 'Number of requests has exceeded your rate limit (scripted by the mock model server).'];
    case 'server_error':
      return [error.status ?? 500, 'api_error', error.message ?? 'Internal server error (scripted by the mock model server).'];
    case 'overloaded':
      return [529, 'overloaded_error', 'Overloaded (scripted by the mock model server).'];
    case 'bad_request':
      return [400, 'invalid_request_error', error.message ?? 'Invalid request (scripted by the mock model server).'];
    case 'unauthorized':
      return [401, 'authentication_error', `invalid x-api-key${error.key ? ` ${error.key}` : ''} (scripted by the mock model server).`];
  }
}

/**
 * `tool_use.input` is a JSON object on this wire, so malformed arguments cannot be
 * sent; a script that tries gets a 500 telling its author what to do instead.
 */
function inputOf(call: ScriptedToolCall): Record<string, unknown> {
  if (typeof call.arguments !== 'string') return call.arguments;
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.arguments);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed)) return parsed;
  throw new UnrepresentableReply(
    `mock model server: the scripted arguments of tool call '${call.name}' (${JSON.stringify(call.arguments)}) are not a JSON object, ` +
      'and Anthropic sends tool_use input as an object, so they cannot be sent. ' +
      'To test bad arguments with Anthropic, script an object that violates the tool schema instead.',
  );
}

/** `tool_result` blocks become tool entries, in order; the remaining blocks one user entry. */
function userEntries(content: unknown): MockMessage[] {
  if (!Array.isArray(content)) return [{ role: 'user', content: textOf(content) }];
  const blocks = content.filter(isRecord);
  const entries: MockMessage[] = blocks
    .filter((block) => block.type === 'tool_result')
    .map((block) => ({
      role: 'tool',
      toolCallId: stringOf(block.tool_use_id),
      content: textOf(block.content),
      isError: block.is_error === true,
    }));
  const rest = blocks.filter((block) => block.type !== 'tool_result');
  if (rest.length > 0) entries.push({ role: 'user', content: textOf(rest) });
  return entries;
}

function assistantEntry(content: unknown): MockMessage {
  if (!Array.isArray(content)) return { role: 'assistant', content: textOf(content), toolCalls: [] };
  const blocks = content.filter(isRecord);
  return {
    role: 'assistant',
    // Thinking blocks and the like are left out; they stay in the raw body.
    content: textOf(blocks.filter((block) => block.type === 'text')),
    toolCalls: blocks
      .filter((block) => block.type === 'tool_use')
      .map((block) => ({ id: stringOf(block.id), name: stringOf(block.name), arguments: JSON.stringify(block.input ?? {}) })),
  };
}
