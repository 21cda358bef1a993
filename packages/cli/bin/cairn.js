#!/usr/bin/env node
import module from 'node:module';

// Node 22+ keeps the code it compiled for the next start: most of a start is compiling modules.
module.enableCompileCache?.();
// `cairn list | head`: a reader that stops early is not an error.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
// The compiled CLI (`npm install` builds it), or its TypeScript sources when run with
// NODE_OPTIONS='--conditions=cairn-source --import=tsx' (package.json "imports").
let main;
try {
  ({ main } = await import('#main'));
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !/[/\\]dist[/\\]/.test(error.message)) throw error;
  console.error("Error: Cairn's compiled JavaScript is missing (dist/). Run `npm run build` in the Cairn checkout (npm install runs it).");
  process.exit(1);
}
process.exitCode = await main(process.argv);
