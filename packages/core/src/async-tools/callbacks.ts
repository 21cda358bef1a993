/**
 * Where the result of an asynchronous tool call can be posted, and the token
 * that proves the poster was handed this call: an HMAC of the run and call ids
 * under a secret that the workers and `cairn serve callbacks` share, so no token
 * is stored anywhere, and none reaches history.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CairnError } from '../errors.ts';
import { cairnHome } from '../config/paths.ts';
import { ensurePrivateDirectory, privateFileMode } from '../config/private-files.ts';
import { sameSecret } from '../http/small-server.ts';

export const defaultCallbackUrl = 'http://127.0.0.1:7790';

/** CAIRN_CALLBACK_SECRET, else a secret kept in CAIRN_HOME (made on first use): every worker and the callback server must share it. */
export function callbackSecret(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.CAIRN_CALLBACK_SECRET?.trim();
  if (fromEnv) {
    if (fromEnv.length < 16) throw new CairnError('CAIRN_CALLBACK_SECRET is shorter than 16 characters.', { hint: 'Use a long random value, e.g. `openssl rand -hex 32`.' });
    return fromEnv;
  }
  const home = cairnHome(env);
  const file = join(home, 'callback-secret');
  if (!existsSync(file)) {
    ensurePrivateDirectory(home);
    // 'wx': two processes making it at once keep the first one's.
    try {
      writeFileSync(file, randomBytes(32).toString('hex'), { mode: privateFileMode, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return readFileSync(file, 'utf8').trim();
}

export function callbackToken(secret: string, runId: string, callId: string): string {
  return createHmac('sha256', secret).update(`${runId}\n${callId}`).digest('base64url');
}

export function isCallbackToken(secret: string, runId: string, callId: string, token: string): boolean {
  return sameSecret(token, callbackToken(secret, runId, callId));
}

/** The public address of `cairn serve callbacks` that workers hand their tools: CAIRN_CALLBACK_URL, else the local default. */
export function callbackBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.CAIRN_CALLBACK_URL?.trim() || defaultCallbackUrl).replace(/\/+$/, '');
}

/** This call's address on the callback server. */
export function callbackUrl(runId: string, callId: string, env: NodeJS.ProcessEnv = process.env): string {
  return `${callbackBaseUrl(env)}/v1/callbacks/${encodeURIComponent(runId)}/${encodeURIComponent(callId)}`;
}
