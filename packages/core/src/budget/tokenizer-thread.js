// The worker thread that counts tokens off the worker's event loop. Plain
// JavaScript so that it can register tsx's loader before importing the
// TypeScript counting code, as the cairn binary does.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { countTokens } = await import('./count-tokens.ts');
// Parses the o200k table now (most of a second), before the first request waits on it.
countTokens('ready');

parentPort.on('message', ({ id, texts }) => {
  try {
    parentPort.postMessage({ id, counts: texts.map(countTokens) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
