import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The tests import Cairn's TypeScript sources, not the compiled dist/ (package.json "exports").
  resolve: { conditions: ['cairn-source'] },
  ssr: { resolve: { conditions: ['cairn-source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'agents/**/*.test.ts', 'tools/**/*.test.ts', 'evals/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Most integration tests wait on timers, servers and child processes rather than the CPU:
    // running a few files at once shortens the suite on a 2-core machine.
    maxWorkers: 3,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['./test/global-setup.ts'],
  },
});
