/**
 * How people talk to a running agent: the status query, answers and decisions
 * (as checked updates or fire-and-forget signals) and budget top-ups. Payloads
 * come from anyone who can reach the server: each is checked before it touches
 * the run, and a signal that cannot be taken is recorded, never dropped.
 */
import type { LoopChanges } from './loop-changes.ts';
import { setHandler, workflowInfo } from '@temporalio/workflow';
import type { Amount } from '../budget/budget-ledger.ts';
import { addBudgetSignal, answerSignal, answerUpdate, approveSignal, decideUpdate, denySignal, statusQuery } from './definitions.ts';
import type { HumanInbox } from './human-inbox.ts';
import { parseAmount, parseAnswer, parseApproval, parseDecision, parseDenial } from './payloads.ts';
import type { BudgetStatus } from './run-budget.ts';
import type { RunStatus } from './run-types.ts';
import type { StatusPublisher } from './status-publisher.ts';

export interface RunHandlers {
  status: RunStatus;
  inbox: HumanInbox;
  publisher: StatusPublisher;
  changes: LoopChanges;
  budget: () => BudgetStatus | undefined;
  topUp: (amount: Amount) => void;
}

export function setRunHandlers({ status, inbox, publisher, changes, budget, topUp }: RunHandlers): void {
  // Answered by whichever worker holds the run: its build is the one serving the run now.
  setHandler(statusQuery, () => ({ ...status, budget: budget(), buildId: workflowInfo().currentDeploymentVersion?.buildId ?? workflowInfo().currentBuildId }));
  setHandler(answerUpdate, (answer) => inbox.answer(parseAnswer(answer)), { validator: (answer) => inbox.validateAnswer(parseAnswer(answer)) });
  setHandler(decideUpdate, (decision) => inbox.decide(parseDecision(decision)), { validator: (decision) => inbox.validateDecision(parseDecision(decision)) });
  setHandler(answerSignal, (answer) => recordRejection(() => inbox.answer(parseAnswer(answer))));
  setHandler(approveSignal, (payload) =>
    recordRejection(() => {
      const { callId, arguments: edited } = parseApproval(payload);
      inbox.decide({ callId, approved: true, arguments: edited });
    }),
  );
  setHandler(denySignal, (payload) =>
    recordRejection(() => {
      const { callId, reason } = parseDenial(payload);
      inbox.decide({ callId, approved: false, reason });
    }),
  );
  setHandler(addBudgetSignal, (payload) => recordRejection(() => topUp(parseAmount(payload))));

  function recordRejection(apply: () => void): void {
    try {
      apply();
    } catch (error) {
      publisher.rejected((error as Error).message, changes.has('cairn-rejections-in-memo'));
    }
  }
}
