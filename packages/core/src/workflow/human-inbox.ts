/**
 * What a run is waiting for from people: questions and tool approvals, each
 * with a stable id, resolved at most once. Pure logic, shared by the workflow's
 * signal and update handlers so both reject the same mistakes the same way.
 *
 * Persisted in workflow history (through status and memo): add fields only.
 */

export interface PendingQuestion {
  kind: 'question';
  /** The tool call that asked it. */
  id: string;
  question: string;
  choices?: string[];
  askedAt: number;
  /** When the declared default applies, if the question has a timeout. */
  timeoutAt?: number;
}

export interface PendingApproval {
  kind: 'approval';
  /** The tool call waiting for approval. */
  id: string;
  tool: string;
  arguments: unknown;
  askedAt: number;
  timeoutAt?: number;
}

/** An asynchronous tool call waiting for its result from outside (`cairn complete`, a callback, a task token). */
export interface PendingAsyncCall {
  kind: 'async_call';
  /** The tool call. */
  id: string;
  tool: string;
  arguments: unknown;
  askedAt: number;
  timeoutAt: number;
}

export type PendingItem = PendingQuestion | PendingApproval | PendingAsyncCall;

export interface AnswerInput {
  questionId: string;
  answer: string;
  /** Who answered, when the client knows (the console's token name). */
  person?: string;
}

export interface DecisionInput {
  callId: string;
  approved: boolean;
  /** With approval: arguments to use instead of the model's (validated again). */
  arguments?: unknown;
  /** With denial: told to the model. */
  reason?: string;
  /** Who decided, when the client knows (the console's token name). */
  person?: string;
}

export type Resolution =
  /** `top-up`: a budget question that a top-up answered. */
  | { kind: 'answer'; answer: string; by: 'human' | 'timeout' | 'unattended' | 'top-up' }
  | { kind: 'decision'; approved: boolean; arguments?: unknown; reason?: string; by: 'human' | 'timeout' }
  /** An asynchronous call's result came (`external`), or its time ran out. */
  | { kind: 'completion'; isError: boolean; by: 'external' | 'timeout' };

export class InboxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InboxError';
  }
}

export class HumanInbox {
  private readonly pendingItems = new Map<string, PendingItem>();
  private readonly resolutions = new Map<string, Resolution>();

  get pending(): PendingItem[] {
    return [...this.pendingItems.values()];
  }

  add(item: PendingItem): void {
    this.pendingItems.set(item.id, item);
  }

  resolution(id: string): Resolution | undefined {
    return this.resolutions.get(id);
  }

  /** Throws an InboxError naming what is pending when the answer fits nothing. */
  validateAnswer({ questionId, answer }: AnswerInput): void {
    if (typeof answer !== 'string' || answer.trim() === '') throw new InboxError('The answer is empty.');
    this.expectPending(questionId, 'question');
  }

  validateDecision({ callId }: DecisionInput): void {
    this.expectPending(callId, 'approval');
  }

  answer(input: AnswerInput, by: 'human' | 'timeout' | 'unattended' = 'human'): void {
    this.validateAnswer(input);
    this.resolve(input.questionId, { kind: 'answer', answer: input.answer, by });
  }

  decide(input: DecisionInput, by: 'human' | 'timeout' = 'human'): void {
    this.validateDecision(input);
    this.resolve(input.callId, { kind: 'decision', approved: input.approved, arguments: input.arguments, reason: input.reason, by });
  }

  /** Resolves a pending item by what the run itself saw (a top-up), not by anyone's answer. */
  settle(id: string, resolution: Resolution): void {
    if (this.pendingItems.has(id)) this.resolve(id, resolution);
  }

  private resolve(id: string, resolution: Resolution): void {
    this.pendingItems.delete(id);
    this.resolutions.set(id, resolution);
  }

  private expectPending(id: string, kind: PendingItem['kind']): void {
    const item = this.pendingItems.get(id);
    if (item?.kind === kind) return;
    const noun = kind === 'question' ? 'question' : 'approval';
    if (this.resolutions.has(id)) throw new InboxError(`The ${noun} '${id}' was already resolved.`);
    const waiting = this.pending.filter((candidate) => candidate.kind === kind).map((candidate) => candidate.id);
    throw new InboxError(
      waiting.length === 0 ? `No ${noun} '${id}' is pending: this run is not waiting for any ${noun}.` : `No ${noun} '${id}' is pending. Pending: ${waiting.join(', ')}.`,
    );
  }
}
