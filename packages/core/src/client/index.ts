export { CairnClient, newRunId, type CairnClientOptions, type RunSummary, type RunTree, type StartedRun } from './cairn-client.ts';
export { readRunRecord, type ReadRunRecordOptions, type RunRecord, type ToolCallRecord, type TurnRecord } from './run-record.ts';
export { AmbiguousPendingError, describePending, type InboxItem } from './human-input.ts';
