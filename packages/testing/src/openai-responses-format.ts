import { arrayOf, isRecord, stringOf } from './json-shapes.ts';
import type { MockMessage } from './scripted-reply.ts';
import { openaiFormat } from './openai-format.ts';
import type { ParsedRequest, WireFormat, WireResponse } from './wire-format.ts';

/** OpenAI's Responses API, as the `openai` SDK (v6) reads it (streamed by `sse-stream.ts`); errors as Chat Completions sends them. */
export const openaiResponsesFormat: WireFormat = {
  name: 'openai-responses',
  path: '/v1/responses',
  requestIdHeader: 'x-request-id',

  parse(body: unknown): ParsedRequest {
    const request = isRecord(body) ? body : {};
    const system = typeof request.instructions === 'string' ? [request.instructions] : [];
    const messages: MockMessage[] = [];
    const input = typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : arrayOf(request.input).filter(isRecord);
    for (const item of input) {
      if (item.type === 'function_call') {
        // A call joins the assistant message before it, or opens one of its own.
        const last = messages.at(-1);
        const call = { id: stringOf(item.call_id), name: stringOf(item.name), arguments: stringOf(item.arguments) };
        if (last?.role === 'assistant') last.toolCalls.push(call);
        else messages.push({ role: 'assistant', content: '', toolCalls: [call] });
      } else if (item.type === 'function_call_output') {
        messages.push({ role: 'tool', toolCallId: stringOf(item.call_id), content: stringOf(item.output), isError: false });
      } else if (item.role === 'system' || item.role === 'developer') {
        system.push(textOfParts(item.content));
      } else if (item.role === 'user') {
        messages.push({ role: 'user', content: textOfParts(item.content) });
      } else if (item.role === 'assistant') {
        messages.push({ role: 'assistant', content: textOfParts(item.content), toolCalls: [] });
      }
    }
    return {
      view: {
        model: stringOf(request.model),
        system: system.join('\n'),
        messages,
        toolNames: arrayOf(request.tools).filter(isRecord).map((tool) => stringOf(tool.name)),
        ...(typeof request.max_output_tokens === 'number' ? { maxTokens: request.max_output_tokens } : {}),
      },
      stream: request.stream === true,
      problem: !isRecord(body) ? 'The request body must be a JSON object.' : typeof request.model !== 'string' ? 'You must provide a model parameter.' : undefined,
    };
  },

  renderReply(reply, context): WireResponse {
    const output: unknown[] = [];
    if (reply.text) {
      output.push({ type: 'message', id: `msg_${context.nextId()}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }] });
    }
    for (const call of reply.toolCalls ?? []) {
      const id = context.nextId();
      output.push({
        type: 'function_call',
        id: `fc_${id}`,
        call_id: call.id ?? `call_${id}`,
        name: call.name,
        arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
        status: 'completed',
      });
    }
    const { inputTokens, outputTokens, cachedInputTokens } = context.usage;
    const cutOff = context.stopReason === 'max_tokens';
    return {
      status: 200,
      body: {
        id: `resp_${context.nextId()}`,
        object: 'response',
        created_at: Math.floor(Date.now() / 1000),
        status: cutOff ? 'incomplete' : 'completed',
        incomplete_details: cutOff ? { reason: 'max_output_tokens' } : null,
        error: null,
        model: context.model,
        output,
        parallel_tool_calls: true,
        store: false,
        usage: {
          input_tokens: inputTokens,
          input_tokens_details: { cached_tokens: cachedInputTokens },
          output_tokens: outputTokens,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: inputTokens + outputTokens,
        },
      },
    };
  },

  renderError: openaiFormat.renderError,
};

function textOfParts(content: unknown): string {
  if (typeof content === 'string') return content;
  return arrayOf(content)
    .filter(isRecord)
    .map((part) => (part.type === 'input_text' || part.type === 'output_text' ? stringOf(part.text) : `[${stringOf(part.type) || 'unknown'}]`))
    .join('\n');
}
