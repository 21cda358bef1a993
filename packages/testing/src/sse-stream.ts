/**
 * Streamed replies, as each provider sends them with `stream: true`: server-sent
 * events built from the same reply body the server would send whole, so a
 * streamed and an unstreamed reply always say the same thing. Text arrives in
 * small pieces (`chunkChars`), which is what a client following a stream sees.
 */
import { isRecord } from './json-shapes.ts';
import type { MockFormat } from './scripted-reply.ts';

export interface SseEvent {
  /** The `event:` line (Anthropic names its events; OpenAI sends data only). */
  event?: string;
  /** JSON, or OpenAI's closing `[DONE]`. */
  data: unknown;
  /** A piece of the reply's text or arguments: the server waits `streamDelayMs` before it. */
  piece?: boolean;
}

const chunkChars = 12;

function pieces(text: string): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; at += chunkChars) out.push(text.slice(at, at + chunkChars));
  return out;
}

type Json = Record<string, unknown>;

/** Chat Completions chunks, the usage chunk when the request asked for it, and `[DONE]`. */
function openaiEvents(completion: Json, includeUsage: boolean): SseEvent[] {
  const choice = (completion.choices as Json[])[0]!;
  const message = choice.message as Json;
  const chunk = (delta: Json, finishReason: unknown = null): SseEvent => ({
    data: { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }] },
  });
  const events: SseEvent[] = [chunk({ role: 'assistant', content: '' })];
  for (const text of pieces(typeof message.content === 'string' ? message.content : '')) events.push({ ...chunk({ content: text }), piece: true });
  for (const [index, call] of ((message.tool_calls as Json[] | undefined) ?? []).entries()) {
    const fn = call.function as Json;
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: fn.name, arguments: '' } }] }));
    for (const part of pieces(String(fn.arguments))) events.push({ ...chunk({ tool_calls: [{ index, function: { arguments: part } }] }), piece: true });
  }
  events.push(chunk({}, choice.finish_reason));
  if (includeUsage) events.push({ data: { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model, choices: [], usage: completion.usage } });
  events.push({ data: '[DONE]' });
  return events;
}

/** Messages API events: the message, each content block opened, filled and closed, then the stop and final usage. */
function anthropicEvents(message: Json): SseEvent[] {
  const usage = message.usage as Json;
  const events: SseEvent[] = [
    { event: 'message_start', data: { type: 'message_start', message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } } },
  ];
  for (const [index, block] of (message.content as Json[]).entries()) {
    if (block.type === 'text') {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { type: 'text', text: '', citations: null } } });
      for (const text of pieces(String(block.text))) events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }, piece: true });
    } else {
      events.push({ event: 'content_block_start', data: { type: 'content_block_start', index, content_block: { ...block, input: {} } } });
      for (const part of pieces(JSON.stringify(block.input))) {
        events.push({ event: 'content_block_delta', data: { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } }, piece: true });
      }
    }
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index } });
  }
  events.push({ event: 'message_delta', data: { type: 'message_delta', delta: { stop_reason: message.stop_reason, stop_sequence: null }, usage: { output_tokens: usage.output_tokens } } });
  events.push({ event: 'message_stop', data: { type: 'message_stop' } });
  return events;
}

/** Responses API events: the response created, each output item added, filled and done, then the response completed. */
function responsesEvents(response: Json): SseEvent[] {
  let sequence = 0;
  const event = (data: Json, piece = false): SseEvent => ({ event: String(data.type), data: { ...data, sequence_number: sequence++ }, ...(piece ? { piece } : {}) });
  const events: SseEvent[] = [event({ type: 'response.created', response: { ...response, status: 'in_progress', output: [], usage: null } })];
  for (const [outputIndex, item] of (response.output as Json[]).entries()) {
    if (item.type === 'message') {
      const part = (item.content as Json[])[0]!;
      events.push(event({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } }));
      events.push(event({ type: 'response.content_part.added', item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part, text: '' } }));
      for (const text of pieces(String(part.text))) events.push(event({ type: 'response.output_text.delta', item_id: item.id, output_index: outputIndex, content_index: 0, delta: text, logprobs: [] }, true));
      events.push(event({ type: 'response.output_text.done', item_id: item.id, output_index: outputIndex, content_index: 0, text: part.text, logprobs: [] }));
      events.push(event({ type: 'response.content_part.done', item_id: item.id, output_index: outputIndex, content_index: 0, part }));
    } else {
      events.push(event({ type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } }));
      for (const part of pieces(String(item.arguments))) events.push(event({ type: 'response.function_call_arguments.delta', item_id: item.id, output_index: outputIndex, delta: part }, true));
      events.push(event({ type: 'response.function_call_arguments.done', item_id: item.id, output_index: outputIndex, arguments: item.arguments }));
    }
    events.push(event({ type: 'response.output_item.done', output_index: outputIndex, item }));
  }
  events.push(event({ type: response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', response }));
  return events;
}

export function streamEvents(format: MockFormat, body: unknown, options: { includeUsage: boolean }): SseEvent[] {
  if (!isRecord(body)) throw new TypeError('A streamed reply needs the reply body it streams.');
  switch (format) {
    case 'openai':
      return openaiEvents(body, options.includeUsage);
    case 'openai-responses':
      return responsesEvents(body);
    case 'anthropic':
      return anthropicEvents(body);
  }
}

export function sseText(event: SseEvent): string {
  const data = event.data === '[DONE]' ? '[DONE]' : JSON.stringify(event.data);
  return `${event.event ? `event: ${event.event}\n` : ''}data: ${data}\n\n`;
}
