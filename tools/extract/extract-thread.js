// The worker thread that extracts readable text off the caller's event loop.
// Plain JavaScript so that it can register tsx's loader before importing the
// TypeScript extraction code, as the cairn binary does.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { extractReadable } = await import('./readable.ts');

parentPort.on('message', ({ id, html }) => {
  try {
    parentPort.postMessage({ id, page: extractReadable(html) });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
