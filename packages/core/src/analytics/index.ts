export { collectDigests, defaultStatsCacheFile, type CollectDigestsOptions, type CollectedDigests } from './collect-digests.ts';
export { digestHistory, type ModelCallDigest, type RunDigest, type ToolCallDigest } from './run-digest.ts';
export { percentile, runOutcomes, runStats, type GroupStats, type RunCost, type RunOutcomeCount, type StatsReport, type ToolStats } from './run-stats.ts';
