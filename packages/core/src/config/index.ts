export { defineConfig, type CairnConfig } from './define-config.ts';
export { loadConfig, findConfigFile, defaultConfigFile, importUserModule, type LoadedConfig } from './load-config.ts';
export { cairnHome, blobDirectory, taskQueue } from './paths.ts';
export { ensurePrivateDirectory, tightenTree, privateDirectoryMode, privateFileMode } from './private-files.ts';
