/**
 * `@cairn/dev-server`: the embedded Temporal server Cairn runs on one machine — finding
 * (or building with Go) the Temporal CLI, running `temporal server start-dev`, and the
 * file locks that keep two commands from building or starting it twice. Used by the
 * `cairn` CLI's embedded mode and by the test suite.
 */
export {
  TEMPORAL_CLI_PACKAGE,
  TEMPORAL_CLI_VERSION,
  TemporalBinaryError,
  ensureTemporalBinary,
  findTemporalBinary,
  getTemporalVersion,
  temporalCacheDir,
  type EnsureTemporalBinaryOptions,
  type FindTemporalBinaryOptions,
} from './temporal-binary.ts';
export {
  DevServerError,
  getFreePort,
  startDevServer,
  stopDevServerProcess,
  type DevServer,
  type DevServerOptions,
} from './dev-server.ts';
export { isProcessAlive } from './process-alive.ts';
export { acquireFileLock, type AcquireFileLockOptions, type FileLock } from './file-lock.ts';
export { ensureGoModuleBinary, binaryCacheDir, type GoModuleProgram } from './go-build.ts';
