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

/** Texts up to this many characters are counted exactly; longer ones from samples. */
const exactLimit = 4_096;
const samplePieces = 8;
const pieceLength = 512;
/** Sampling misses some of the text: its average is raised by this much. */
const samplingMargin = 1.15;

/**
 * Tokens in `text`, erring high. BPE in JavaScript is slow (about 1.5 ms a KB
 * of prose) and quadratic in runs without spaces, so exactly counting a large
 * tool result would stop the worker's event loop for seconds. Runs without
 * spaces are cut every 32 characters (cuts only add tokens); texts beyond
 * 4 KB are estimated from eight evenly spaced samples, never above their UTF-8
 * byte count, which bounds any byte-level tokenizer.
 */
export function countTokens(text: string): number {
  if (text.length <= exactLimit) return exactTokens(text);
  const stride = Math.floor((text.length - pieceLength) / (samplePieces - 1));
  let sampledTokens = 0;
  for (let i = 0; i < samplePieces; i++) sampledTokens += exactTokens(text.slice(i * stride, i * stride + pieceLength));
  const estimate = Math.ceil((sampledTokens / (samplePieces * pieceLength)) * text.length * samplingMargin);
  return Math.min(estimate, Buffer.byteLength(text));
}

function exactTokens(text: string): number {
  return text.length === 0 ? 0 : tokenizer().encode(text.replace(/\S{32}/g, '$& ')).length;
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

/** Counting is cut into slices this long, so heartbeats and other runs go on while a fresh worker counts a long conversation. */
const sliceMs = 20;

export async function estimateInputTokens(request: { provider: string; instructions: string; messages: readonly Message[]; tools: readonly ToolDescriptor[] }): Promise<number> {
  let tokens = countTokens(request.instructions) + perMessageOverhead;
  let sliceStart = performance.now();
  for (const message of request.messages) {
    tokens += messageTokens(message);
    if (performance.now() - sliceStart > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStart = performance.now();
    }
  }
  for (const tool of request.tools) tokens += perMessageOverhead + countTokens(`${tool.name} ${tool.description} ${JSON.stringify(tool.parameters)}`);
  return Math.ceil(tokens * (margins[request.provider] ?? 1.25)) + 16;
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
 * largest margin and framing the estimate adds. When even this leaves the
 * budget untouched, the exact estimate cannot matter and is skipped.
 */
export function inputTokenBound(request: { instructions: string; messages: readonly Message[]; tools: readonly ToolDescriptor[] }): number {
  let bytes = Buffer.byteLength(request.instructions) + perMessageOverhead;
  for (const message of request.messages) bytes += messageBytes(message) + perMessageOverhead * (message.role === 'assistant' ? 1 + message.toolCalls.length : 1);
  for (const tool of request.tools) bytes += perMessageOverhead + Buffer.byteLength(`${tool.name} ${tool.description} ${JSON.stringify(tool.parameters)}`);
  return Math.ceil(bytes * Math.max(...Object.values(margins))) + 16;
}
