import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec.ts';
import type { EncryptionSettings } from './encryption-keys.ts';

/** The failure converter module a workflow bundle must include when encryption is on. */
export const encryptingFailureConverterPath = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/** The data converter for clients and workers of an encrypted stack; undefined (Temporal's default) without encryption. */
export function cairnDataConverter(encryption: EncryptionSettings | undefined): DataConverter | undefined {
  if (!encryption) return undefined;
  return { payloadCodecs: [new EncryptionCodec(encryption)], failureConverterPath: encryptingFailureConverterPath };
}
