import { CairnError } from '@cairn/core';
import { startCodecServer } from '@cairn/core/encryption';
import { isEmbedded } from '@cairn/core/temporal';
import { stackEncryption } from '../encryption.ts';
import { runningServer } from '../stack.ts';
import { dim, yellow } from '../print.ts';
import { untilInterrupted } from '../until-interrupted.ts';

export interface CodecServerCommandOptions {
  port?: number;
  host?: string;
  origin?: string[];
  token?: string;
}

/**
 * `cairn codec-server`: decrypts this stack's payloads for the Temporal Web UI until Ctrl-C.
 * The embedded server's UI already points at it; a cluster's UI is pointed at it in its settings.
 */
export async function codecServerCommand(options: CodecServerCommandOptions): Promise<number> {
  const embedded = isEmbedded();
  const encryption = stackEncryption(embedded);
  if (!encryption) {
    throw new CairnError('This stack does not encrypt its history, so there is nothing to decode.', {
      hint: 'Set CAIRN_ENCRYPTION_KEYS on the workers and clients of the cluster to turn encryption on.',
    });
  }
  const server = embedded ? runningServer() : undefined;
  const uiUrl = server?.uiUrl ?? process.env.TEMPORAL_UI_URL;
  const origins = options.origin ?? (uiUrl ? browserOrigins(uiUrl) : []);
  if (origins.length === 0) {
    throw new CairnError('No Web UI origin to answer.', { hint: 'Pass --origin with the Web UI\'s address, such as --origin https://temporal.example.com, or set TEMPORAL_UI_URL.' });
  }
  const port = options.port ?? (server?.codecUrl ? Number(new URL(server.codecUrl).port) : 8234);
  const codec = await startCodecServer({ encryption, origins, port, ...(options.host ? { host: options.host } : {}), ...(options.token ? { token: options.token } : {}) });
  console.log(`Codec server ${codec.url} for ${origins.join(', ')}${options.token ? ', bearer token required' : ''}`);
  if (!server) console.log(dim(`Point the Web UI at it: Settings → Codec Server endpoint ${codec.url}`));
  if (!options.token) console.log(yellow('While it runs, anyone who can reach this port can decrypt this stack\'s payloads: stop it (Ctrl-C) when you are done.'));
  await untilInterrupted();
  await codec.close();
  return 0;
}

/** A browser may show the UI as localhost or as 127.0.0.1: both are the same UI. */
function browserOrigins(uiUrl: string): string[] {
  const url = new URL(uiUrl);
  const origins = [url.origin];
  if (url.hostname === '127.0.0.1') origins.push(`${url.protocol}//localhost:${url.port}`);
  if (url.hostname === 'localhost') origins.push(`${url.protocol}//127.0.0.1:${url.port}`);
  return origins;
}
