/**
 * What the agent loop carries from turn to turn, and across continue-as-new in
 * `resume`: where the conversation stands and what the next model call adds to it.
 */
import type { TranscriptAppend } from '../activity-contract.ts';
import { emptyTranscript, type TranscriptRef } from '../transcript/transcript-store.ts';
import type { AgentRunInput } from './run-types.ts';
import type { ContextView } from '../context/context-view.ts';

export interface LoopState {
  transcript: TranscriptRef;
  /** What the next model call appends: the run's input, the last turn's tool results, or an instruction. */
  append: TranscriptAppend[];
  turnsInThisHistory: number;
  /** How much more than Cairn's estimate the provider bills for input (`budget/input-calibration.ts`). */
  inputCalibration: number;
  /** What the model last said, for a partial result if the budget ends the run. */
  lastText: string;
  /** A final answer cut off at the output cap, while the model continues it. */
  answerSoFar: string;
  continuations: number;
  /** What of the transcript the model is shown, once it outgrew the window (`context/context-view.ts`). */
  context?: ContextView;
  /** Final replies sent back because they broke the agent's output schema. */
  outputRepairs: number;
}

export function startLoopState(input: AgentRunInput): LoopState {
  return {
    transcript: input.resume?.transcript ?? emptyTranscript,
    append: input.resume?.pendingAppend ?? [input.inputRef ? { role: 'user', contentRef: input.inputRef } : { role: 'user', content: input.input }],
    turnsInThisHistory: 0,
    inputCalibration: input.resume?.inputCalibration ?? input.inputCalibration ?? 1,
    lastText: '',
    answerSoFar: '',
    continuations: 0,
    outputRepairs: 0,
    ...(input.resume?.context ? { context: input.resume.context } : {}),
  };
}
