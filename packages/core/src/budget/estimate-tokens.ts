/**
 * Input-token estimates for budget checks, from a real tokenizer (o200k, the
 * encoding of current OpenAI models). Other providers count differently, so
 * the estimate carries a margin per provider, erring high: an overestimate
 * costs a little headroom, an underestimate could overspend.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';
import type { Message } from '../messages.ts';
import type { ToolDescriptor } from '../providers/provider.ts';

let encoder: Tiktoken | undefined;
const tokenizer = () => (encoder ??= new Tiktoken(o200k));

/**
 * Builds the tokenizer now. Its first use parses the whole o200k table (most of
 * a second of blocked event loop): done inside a model call, that can starve the
 * activity's heartbeats on a busy machine and get a live call retried elsewhere.
 */
export function warmUpTokenizer(): void {
  tokenizer();
}

/** Per-message framing (role markers, separators) that the text alone does not show. */
const perMessageOverhead = 6;
const margins: Record<string, number> = { openai: 1.02, anthropic: 1.25 };

/**
 * BPE is quadratic in the length of a run without spaces (a base64 blob, a
 * padded line): such runs are cut every 200 characters first. The cuts can only
 * add tokens, so the count stays an upper estimate.
 */
export function countTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().encode(text.replace(/\S{200}/g, '$& ')).length;
}

/** Messages are immutable and the transcript cache hands out the same objects turn after turn: count each once. */
const counted = new WeakMap<Message, number>();

function messageTokens(message: Message): number {
  let tokens = counted.get(message);
  if (tokens === undefined) {
    tokens = perMessageOverhead + countTokens(message.content);
    if (message.role === 'assistant') for (const call of message.toolCalls) tokens += perMessageOverhead + countTokens(call.name) + countTokens(call.arguments);
    counted.set(message, tokens);
  }
  return tokens;
}

export function estimateInputTokens(request: { provider: string; instructions: string; messages: readonly Message[]; tools: readonly ToolDescriptor[] }): number {
  let tokens = countTokens(request.instructions) + perMessageOverhead;
  for (const message of request.messages) tokens += messageTokens(message);
  for (const tool of request.tools) tokens += perMessageOverhead + countTokens(`${tool.name} ${tool.description} ${JSON.stringify(tool.parameters)}`);
  return Math.ceil(tokens * (margins[request.provider] ?? 1.25)) + 16;
}
