/**
 * Where the Temporal server is, following the Temporal SDKs' environment configuration
 * (`@temporalio/envconfig`): a profile from `temporal.toml` (`TEMPORAL_CONFIG_FILE`,
 * `TEMPORAL_PROFILE`), overridden by `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 * `TEMPORAL_API_KEY` and the `TEMPORAL_TLS*` variables. With no address from either,
 * Cairn runs embedded: it starts its own dev server (see dev-server.ts).
 */
import type { Connection, Metadata, OperatorService, TLSConfig } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { encodeSearchAttributeIndexedValueType, type SearchAttributeKey } from '@temporalio/common/lib/search-attributes.js';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile } from '@temporalio/envconfig';
import { CairnError, ServerUnreachableError } from '../errors.ts';
import { CAIRN_SEARCH_ATTRIBUTE_KEYS } from './search-attributes.ts';

export const DEFAULT_TEMPORAL_ADDRESS = 'localhost:7233';
export const DEFAULT_NAMESPACE = 'default';

type Env = Record<string, string | undefined>;

/** Options accepted by both the client's `Connection` and the worker's `NativeConnection`. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Metadata;
}

export interface TemporalConnectionSettings {
  address: string;
  namespace: string;
  connectionOptions: TemporalConnectionOptions;
}

export interface LoadConnectionOptions {
  /** Profile in the config file; defaults to `TEMPORAL_PROFILE`, then "default". */
  profile?: string;
  /** Environment to read. Defaults to `process.env`. */
  env?: Env;
}

/** A Temporal configuration file or profile that cannot be used. */
export class TemporalConfigError extends CairnError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.name = 'TemporalConfigError';
  }
}

function loadProfile(options: LoadConnectionOptions): ClientConfigProfile {
  const env = options.env ?? process.env;
  const overrideEnvVars = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  try {
    return loadClientConfigProfile({ profile: options.profile, overrideEnvVars });
  } catch (error) {
    throw new TemporalConfigError(`Cannot load the Temporal connection configuration: ${(error as Error).message}`, {
      hint:
        'Check TEMPORAL_PROFILE and the profile names in your temporal.toml (TEMPORAL_CONFIG_FILE, or ' +
        'the default file in your config directory), or unset them.',
      cause: error,
    });
  }
}

/**
 * The server address, namespace and connection options (TLS, API key, gRPC metadata) from
 * the environment and the config file. Without a configured address this is the local
 * default `localhost:7233`; see {@link isEmbedded}.
 */
export function loadConnectionOptions(options: LoadConnectionOptions = {}): TemporalConnectionSettings {
  const profile = loadProfile(options);
  const { namespace, connectionOptions } = toClientOptions(profile);
  const address = connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS;
  return {
    address,
    namespace: namespace ?? DEFAULT_NAMESPACE,
    connectionOptions: {
      address,
      ...(connectionOptions.tls != null && { tls: connectionOptions.tls }),
      ...(typeof connectionOptions.apiKey === 'string' && { apiKey: connectionOptions.apiKey }),
      ...(connectionOptions.metadata !== undefined && { metadata: connectionOptions.metadata }),
    },
  };
}

/** True when no Temporal address is configured (no `TEMPORAL_ADDRESS`, no profile address): Cairn runs its own server. */
export function isEmbedded(options: LoadConnectionOptions = {}): boolean {
  return !loadProfile(options).address;
}

export interface ConnectToTemporalOptions extends LoadConnectionOptions {
  /** Overrides the configured address (e.g. the embedded dev server's). */
  address?: string;
  /** Overrides the configured namespace. */
  namespace?: string;
  /** How long to wait for the server. Default 10 s. */
  connectTimeoutMs?: number;
}

export interface TemporalConnection {
  connection: Connection;
  address: string;
  namespace: string;
}

/**
 * Connects a client to the configured (or given) server. A server that cannot be reached
 * becomes a {@link ServerUnreachableError}; rejected credentials a {@link TemporalConfigError}.
 */
export async function connectToTemporal(options: ConnectToTemporalOptions = {}): Promise<TemporalConnection> {
  const settings = loadConnectionOptions(options);
  const address = options.address ?? settings.address;
  const namespace = options.namespace ?? settings.namespace;
  // Loaded here, not with this module: the embedded stack's start needs only the settings above, and the client takes a few hundred ms to load.
  const { Connection, isGrpcServiceError } = await import('@temporalio/client');
  try {
    const connection = await Connection.connect({
      ...settings.connectionOptions,
      address,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
    });
    return { connection, address, namespace };
  } catch (error) {
    const grpcError = grpcCause(error, isGrpcServiceError);
    if (grpcError && (grpcError.code === 16 /* UNAUTHENTICATED */ || grpcError.code === 7) /* PERMISSION_DENIED */) {
      throw new TemporalConfigError(`The Temporal server at ${address} rejected the credentials: ${grpcError.details || grpcError.message}`, {
        hint: 'Check TEMPORAL_API_KEY, the TLS settings (TEMPORAL_TLS_*) and the profile in temporal.toml.',
        cause: error,
      });
    }
    throw new ServerUnreachableError(address, error);
  }
}

function grpcCause(error: unknown, isGrpcServiceError: (value: unknown) => value is { code: number; details?: string; message: string }): { code: number; details?: string; message: string } | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as Error).cause, depth++) {
    if (isGrpcServiceError(current)) return current;
  }
  return undefined;
}

/**
 * Registers any of Cairn's search attributes the namespace lacks. The dev server registers
 * them at creation; this covers a SQLite file made by an older Cairn and self-hosted
 * clusters. (Temporal Cloud manages search attributes through its own API.)
 */
export async function ensureSearchAttributes(
  /** A client `Connection` or a worker `NativeConnection`. */
  connection: { operatorService: OperatorService },
  namespace: string,
  keys: readonly SearchAttributeKey<SearchAttributeType>[] = CAIRN_SEARCH_ATTRIBUTE_KEYS,
): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = keys.filter((key) => !(key.name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!])),
  });
  return missing.map((key) => key.name);
}
