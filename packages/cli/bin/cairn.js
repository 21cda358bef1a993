#!/usr/bin/env node
// The CLI and the config files it loads are TypeScript: register tsx's loader first.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv);
