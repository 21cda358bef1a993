/** `@cairn/core/retention`: what `cairn gc` does, for people who schedule retention themselves. */
export { collectGarbage, type CollectGarbageOptions, type GarbageReport } from './collect-garbage.ts';
export { keptRuns, historyText, type KeptRuns } from './kept-runs.ts';
