/**
 * Input-token estimates for budget checks, from a real tokenizer (o200k, the
 * encoding of current OpenAI models). Other providers count differently, so
 * the estimate carries a margin per provider (its definition's `tokenMargin`),
 * erring high: an overestimate costs a little headroom, an underestimate could
 * overspend.
 */
import type { Message } from '../messages.ts';
import type { ToolDescriptor } from '../providers/provider.ts';
import { TokenizerThread } from './tokenizer-thread.ts';

/**
 * Started by the first estimate a worker needs, not at its start: most turns
 * never tokenize (see `inputTokenBound`), and building the tokenizer costs more
 * than a second of CPU. The call that waits for it heartbeats meanwhile.
 */
const tokenizer = new TokenizerThread();

/** Per-message framing (role markers, separators) that the text alone does not show. */
const perMessageOverhead = 6;
/** For a provider that names no margin of its own. */
export const defaultTokenMargin = 1.25;

/** The texts of a message that are counted, each with its own framing. */
function countedTexts(message: Message): string[] {
  return message.role === 'assistant' ? [message.content, ...message.toolCalls.flatMap((call) => [call.name, call.arguments])] : [message.content];
}

function framing(message: Message): number {
  return perMessageOverhead * (message.role === 'assistant' ? 1 + message.toolCalls.length : 1);
}

/** Messages are immutable and the transcript cache hands out the same objects turn after turn: count each once. */
const counted = new WeakMap<Message, number>();

export async function estimateInputTokens(request: { margin: number; instructions: string; messages: readonly Message[]; tools: readonly ToolDescriptor[] }): Promise<number> {
  const uncounted = [...new Set(request.messages.filter((message) => !counted.has(message)))];
  const toolTexts = request.tools.map((tool) => `${tool.name} ${tool.description} ${JSON.stringify(tool.parameters)}`);
  const counts = await tokenizer.count([request.instructions, ...toolTexts, ...uncounted.flatMap(countedTexts)]);
  let next = 0;
  const take = (texts: number) => counts.slice(next, (next += texts)).reduce((sum, count) => sum + count, 0);
  let tokens = take(1) + perMessageOverhead;
  tokens += take(toolTexts.length) + perMessageOverhead * toolTexts.length;
  for (const message of uncounted) counted.set(message, framing(message) + take(countedTexts(message).length));
  for (const message of request.messages) tokens += counted.get(message)!;
  return Math.ceil(tokens * request.margin) + 16;
}

/** A request's size in UTF-8 bytes, per message once: what {@link inputTokenBound} starts from. */
const measured = new WeakMap<Message, number>();

function messageBytes(message: Message): number {
  let bytes = measured.get(message);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(message.content ?? '');
    if (message.role === 'assistant') for (const call of message.toolCalls) bytes += Buffer.byteLength(call.name) + Buffer.byteLength(call.arguments);
    measured.set(message, bytes);
  }
  return bytes;
}

/**
 * A ceiling on {@link estimateInputTokens}, without tokenizing: a byte-level
 * tokenizer never makes more tokens than bytes, and the ceiling carries the
 * same margin and framing as the estimate. When even this leaves the budget
 * untouched, the exact estimate cannot matter and is skipped.
 */
export function inputTokenBound(request: { instructions: string; messages: readonly Message[]; tools: readonly ToolDescriptor[] }, margin: number): number {
  let bytes = Buffer.byteLength(request.instructions) + perMessageOverhead;
  for (const message of request.messages) bytes += messageBytes(message) + framing(message);
  for (const tool of request.tools) bytes += perMessageOverhead + Buffer.byteLength(`${tool.name} ${tool.description} ${JSON.stringify(tool.parameters)}`);
  return Math.ceil(bytes * margin) + 16;
}
