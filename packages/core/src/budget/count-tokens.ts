/**
 * Tokens in a text, from a real tokenizer (o200k, the encoding of current
 * OpenAI models). Synchronous and CPU-bound: a worker counts on its tokenizer
 * thread (`tokenizer-thread.ts`), never on the event loop that heartbeats.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import o200k from 'js-tiktoken/ranks/o200k_base';

let encoder: Tiktoken | undefined;
const tokenizer = () => (encoder ??= new Tiktoken(o200k));

/** Texts up to this many characters are counted exactly; longer ones from samples. */
const exactLimit = 4_096;
const samplePieces = 8;
const pieceLength = 512;
/** Sampling misses some of the text: its average is raised by this much. */
const samplingMargin = 1.15;

/**
 * Tokens in `text`, erring high. BPE in JavaScript is slow (about 1.5 ms a KB
 * of prose) and quadratic in runs without spaces, so exactly counting a large
 * tool result would take seconds. Runs without spaces are cut every 32
 * characters (cuts only add tokens); texts beyond 4 KB are estimated from
 * eight evenly spaced samples, never above their UTF-8 byte count, which
 * bounds any byte-level tokenizer.
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
