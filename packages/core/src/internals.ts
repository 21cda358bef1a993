/**
 * Building blocks for Cairn's own packages (testing, CLI) and for people who
 * assemble a worker by hand. Not needed to define and run agents.
 */
export type { BlobStore } from './transcript/blob-store.ts';
export { FileBlobStore } from './blob-stores/file-blob-store.ts';
export { TranscriptStore, type TranscriptRef } from './transcript/transcript-store.ts';
export { ProviderRegistry, resolveModel, type ResolvedModel } from './providers/registry.ts';
export { AgentRegistry } from './agent/agent-registry.ts';
export { redact, redactUrl, withoutSecrets } from './redact.ts';
// What the `cairn` CLI shares with the core: run ids, pending-item lines (budget amounts: `@cairn/core/budget`).
export { newRunId } from './client/cairn-client.ts';
export { describePending } from './client/human-input.ts';
// The chores of Cairn's small HTTP servers (the CLI's web console shares them).
export { bearerToken, listen, readBody, sameSecret, sendJson, type ListeningServer } from './http/small-server.ts';
// The one rule for a person's name recorded with an answer or decision (the console's token names).
export { personNamePattern } from './workflow/payloads.ts';
