export { CairnClient, newRunId, type CairnClientOptions, type RunSummary, type StartedRun } from './cairn-client.ts';
