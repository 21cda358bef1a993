/**
 * Which keys seal the history of the stack a command talks to. The embedded
 * stack has its own, made on first use and readable only by its owner: other
 * users of the machine can reach the dev server but cannot read a run, answer
 * it, approve its calls or start one on the owner's worker (decision 0003). On
 * a cluster, `CAIRN_ENCRYPTION_KEYS` turns encryption on.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cairnHome } from '@cairn/core/config';
import { encryptionFromEnvironment, localEncryption, requireEncryption, type EncryptionSettings } from '@cairn/core/encryption/keys';
import type { NativeConnection } from '@temporalio/worker';

export function stackEncryption(embedded: boolean, env: NodeJS.ProcessEnv = process.env): EncryptionSettings | undefined {
  const configured = encryptionFromEnvironment(env);
  if (configured || !embedded) return configured;
  // A server that already holds runs from before encryption keeps reading their plain payloads for now.
  return localEncryption(cairnHome(env), { hadRunsBefore: existsSync(join(cairnHome(env), 'temporal.db')) });
}

/**
 * An embedded stack upgraded with runs still open reads plain payloads until they have closed;
 * a worker starting once none is open makes encryption required from then on.
 */
export async function requireEncryptionOnceOldRunsClosed(encryption: EncryptionSettings, connection: NativeConnection, namespace: string): Promise<EncryptionSettings> {
  if (!encryption.acceptPlaintext || encryptionFromEnvironment()) return encryption;
  const { count } = await connection.workflowService.countWorkflowExecutions({ namespace, query: 'ExecutionStatus="Running"' });
  if (Number(count ?? 0) > 0) return encryption;
  requireEncryption(cairnHome());
  return { ...encryption, acceptPlaintext: false };
}
