/**
 * The person a suite's agent asks: questions answered and approvals decided by
 * the suite's own functions, per case, through the same checked path as
 * `cairn answer` and `cairn approve`. Each item is answered once.
 */
import type { CairnClient, PendingApproval, PendingQuestion } from '@cairn/core';
import type { EvalCase } from './eval-case.ts';

export interface ScriptedHuman {
  /** The answer to a question the agent asks. Default: "No human is available; decide yourself." */
  answer?(question: PendingQuestion, evalCase: EvalCase): string;
  /** The decision on a call that needs approval. Default: denied. */
  decide?(approval: PendingApproval, evalCase: EvalCase): { approved: boolean; reason?: string; arguments?: unknown };
}

const pollMs = 300;

/** Answers what `runId` waits for until stopped. */
export function answerAsScripted(client: Pick<CairnClient, 'pending' | 'answer' | 'decide'>, runId: string, evalCase: EvalCase, human: ScriptedHuman): () => void {
  const handled = new Set<string>();
  let stopped = false;
  let pause: { timer: NodeJS.Timeout; resume: () => void } | undefined;
  const loop = async () => {
    while (!stopped) {
      try {
        for (const item of await client.pending(runId)) {
          if (handled.has(item.id)) continue;
          handled.add(item.id);
          if (item.kind === 'question') await client.answer(runId, human.answer?.(item, evalCase) ?? 'No human is available; decide yourself.', item.id);
          else if (item.kind === 'approval') await client.decide(runId, { callId: item.id, ...(human.decide?.(item, evalCase) ?? { approved: false, reason: 'no decision was scripted' }) });
        }
      } catch {
        // The run ended between reading and answering, or is not queryable for a moment: the result tells.
      }
      await new Promise<void>((resume) => (pause = { timer: setTimeout(resume, pollMs), resume }));
    }
  };
  void loop();
  return () => {
    stopped = true;
    if (pause) {
      clearTimeout(pause.timer);
      pause.resume();
    }
  };
}
