#!/usr/bin/env node
// The CLI and the config files it loads are TypeScript: register tsx's loader first.
import { register } from 'tsx/esm/api';

register();
// `cairn list | head`: a reader that stops early is not an error.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
