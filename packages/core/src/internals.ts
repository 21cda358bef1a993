/**
 * Building blocks for Cairn's own packages (testing, CLI) and for people who
 * assemble a worker by hand. Not needed to define and run agents.
 */
export { FileBlobStore, type BlobStore } from './transcript/blob-store.ts';
export { TranscriptStore, type TranscriptRef } from './transcript/transcript-store.ts';
export { resolveModel } from './providers/registry.ts';
export { AgentRegistry } from './agent/agent-registry.ts';
