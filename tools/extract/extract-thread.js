// The worker thread that extracts readable text off the caller's event loop. Plain
// JavaScript, copied as it is into dist/: there it imports the compiled extraction code;
// beside the TypeScript sources it registers tsx's loader first (a thread does not inherit it).
import { existsSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

const source = new URL('./readable.ts', import.meta.url);
const fromSources = existsSync(source);
if (fromSources) (await import('tsx/esm/api')).register();
const { extractReadable } = await import(fromSources ? source.href : './readable.js');

parentPort.on('message', ({ id, html }) => {
  try {
    parentPort.postMessage({ id, page: extractReadable(html) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
