export { CairnClient, newRunId, type CairnClientOptions, type RunSummary, type RunTree, type StartedRun } from './cairn-client.ts';
export { AmbiguousPendingError, describePending, type InboxItem } from './human-input.ts';
