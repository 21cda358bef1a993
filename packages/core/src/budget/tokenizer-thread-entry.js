// The worker thread that counts tokens off the worker's event loop. Plain JavaScript,
// copied as it is into dist/: there it imports the compiled counting code; beside the
// TypeScript sources it registers tsx's loader first (a thread does not inherit it).
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const source = new URL('./count-tokens.ts', import.meta.url);
const fromSources = existsSync(source);
if (fromSources) (await import('tsx/esm/api')).register();
const { countTokens } = await import(fromSources ? source.href : './count-tokens.js');
// Parses the o200k table now (most of a second), before the first request waits on it.
countTokens('ready');

parentPort.on('message', ({ id, texts }) => {
  try {
    parentPort.postMessage({ id, counts: texts.map(countTokens) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
