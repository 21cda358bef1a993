/**
 * Vitest global setup: one in-memory Temporal dev server (headless, on a free port) for the
 * whole test run. Tests read its address with `inject('temporalAddress')` or from
 * `process.env.CAIRN_TEST_TEMPORAL_ADDRESS`. When CAIRN_TEST_TEMPORAL_ADDRESS is already set,
 * that server is used and none is started.
 */
import type { TestProject } from 'vitest/node';
import { startDevServer } from '@cairn/dev-server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `host:port` of the Temporal server shared by the test run. */
    temporalAddress: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const preset = process.env.CAIRN_TEST_TEMPORAL_ADDRESS;
  if (preset) {
    project.provide('temporalAddress', preset);
    return async () => {};
  }
  const server = await startDevServer({
    uiPort: false,
    onProgress: (line) => process.stderr.write(`[cairn] ${line}\n`),
  });
  process.env.CAIRN_TEST_TEMPORAL_ADDRESS = server.address;
  project.provide('temporalAddress', server.address);
  return async () => {
    delete process.env.CAIRN_TEST_TEMPORAL_ADDRESS;
    await server.stop();
  };
}
