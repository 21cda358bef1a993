/**
 * `@cairn/core/temporal`: finding the Temporal CLI, running the embedded dev server, and
 * connecting to whichever Temporal server is configured. Node-only; workflow code imports
 * `./search-attributes.ts` by path instead.
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
export {
  DEFAULT_NAMESPACE,
  DEFAULT_TEMPORAL_ADDRESS,
  TemporalConfigError,
  connectToTemporal,
  ensureSearchAttributes,
  isEmbedded,
  loadConnectionOptions,
  type ConnectToTemporalOptions,
  type LoadConnectionOptions,
  type TemporalConnection,
  type TemporalConnectionOptions,
  type TemporalConnectionSettings,
} from './connection.ts';
export {
  CAIRN_SEARCH_ATTRIBUTE_KEYS,
  CairnSearchAttributes,
  searchAttributeCliArgs,
  type CairnSearchAttributeKey,
} from './search-attributes.ts';
export { isProcessAlive } from './process-alive.ts';
export { acquireFileLock, type AcquireFileLockOptions, type FileLock } from './file-lock.ts';
