export { cairnDataConverter, encryptingFailureConverterPath } from './data-converter.ts';
export { EncryptionCodec } from './encryption-codec.ts';
export {
  encryptionFromEnvironment,
  EncryptionKeyError,
  existingLocalEncryption,
  localEncryption,
  localEncryptionKeysPath,
  parseEncryptionKeys,
  requireEncryption,
  type EncryptionKey,
  type EncryptionSettings,
} from './encryption-keys.ts';
export { payloadRefusal } from './rejected-payload.ts';
export { startCodecServer, type CodecServerOptions, type RunningCodecServer } from './codec-server.ts';
