/**
 * `@cairn/core/temporal`: connecting to whichever Temporal server is configured, and
 * Cairn's search attributes. (The embedded dev server is `@cairn/dev-server`.) Node-only;
 * workflow code imports `./search-attributes.ts` by path instead.
 */
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
