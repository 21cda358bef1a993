/**
 * A run's status, built from its events: what the `status` query answers, and
 * what is published for readers without a worker (search attributes and memo)
 * and for the Web UI (current details).
 */
import type { LoopChanges } from './loop-changes.ts';
import { setCurrentDetails, upsertMemo, upsertSearchAttributes } from '@temporalio/workflow';
import { addUsage } from '../messages.ts';
import { CairnSearchAttributes } from '../temporal/search-attributes.ts';
import type { HumanInbox } from './human-inbox.ts';
import type { BudgetStatus } from './run-budget.ts';
import type { RunEvent } from './run-events.ts';
import type { RunState, RunStatus, ToolCallStatus } from './run-types.ts';
import { currentDetails } from './summaries.ts';

/** Rejections kept in the memo: enough to explain the last few mistakes, never a growing list. */
const maxPublishedRejections = 10;

/**
 * What visibility holds of a state. Every search attribute upsert is a command,
 * a history event and a visibility write on the server; a run that flips
 * between calling the model and running tools twice a turn is not worth one.
 * Waiting for a person, and how it ended, are.
 */
function visibleState(state: RunState): RunState {
  return state === 'calling_model' || state === 'running_tools' || state === 'wrapping_up' ? 'running' : state;
}

/** A run's status as it starts: the one shape the agent loop and jobs such as deep research share. */
export function newRunStatus(run: Pick<RunStatus, 'runId' | 'agent'> & Partial<RunStatus>): RunStatus {
  return {
    state: 'starting',
    turn: 0,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    startedAt: Date.now(),
    toolCalls: [],
    pending: [],
    children: [],
    rejected: [],
    ...run,
  };
}

export class StatusPublisher {
  /** The state each open wait interrupted, to go back to once it is resolved. */
  private readonly resumeStates = new Map<string, RunState>();
  private current: RunState = 'starting';
  private published: RunState = 'starting';
  /** Histories from before 0.4 published every state; set at the first change so replay decides the same way. */
  private coarse?: boolean;

  constructor(
    readonly status: RunStatus,
    private readonly inbox: HumanInbox,
    private readonly budget: () => BudgetStatus | undefined,
    private readonly changes: LoopChanges,
  ) {}

  get state(): RunState {
    return this.current;
  }

  readonly apply = (event: RunEvent): void => {
    const { status } = this;
    switch (event.type) {
      case 'run_started':
        status.model = event.model;
        return;
      case 'model_call_started':
        return this.setState(event.wrapUp ? 'wrapping_up' : 'calling_model');
      case 'model_call_finished':
        status.turn = event.turn;
        status.usage = addUsage(status.usage, event.usage);
        return;
      case 'context_compacted':
        status.usage = addUsage(status.usage, event.usage);
        return;
      case 'tool_calls_started':
        this.setState('running_tools');
        status.toolCalls = event.calls.map((call): ToolCallStatus => ({ id: call.id, name: call.name, state: 'queued' }));
        return;
      case 'tool_call_started':
        return this.updateCall(event.id, { state: 'running' });
      case 'tool_call_finished':
        return this.updateCall(event.id, { state: event.isError ? 'error' : 'done', preview: event.preview });
      case 'human_wait_opened':
        this.updateCall(event.item.id, { state: 'waiting_for_human' });
        this.resumeStates.set(event.item.id, this.current);
        return this.publishPending();
      case 'human_wait_resolved': {
        const resumeState = this.resumeStates.get(event.item.id) ?? 'running_tools';
        this.resumeStates.delete(event.item.id);
        return this.publishPending(resumeState);
      }
      case 'child_started':
        status.children.push(event.child);
        return;
      case 'child_settled':
        if (event.child.state === 'queued') status.children.splice(status.children.indexOf(event.child), 1);
        else if (event.child.usage) status.usage = addUsage(status.usage, event.child.usage);
        return;
      case 'run_finished':
        status.output = event.output;
        status.exhaustedLimit = event.exhaustedLimit;
        return this.setState(event.outcome);
      case 'budget_refused':
      case 'budget_exhausted':
      case 'budget_topped_up':
        return;
    }
  };

  /** A signal the run could not take: kept in the status and memo, so a CLI shows it even while no worker runs. */
  rejected(message: string, publish: boolean): void {
    this.status.rejected.push({ at: Date.now(), message });
    if (publish) upsertMemo({ rejected: this.status.rejected.slice(-maxPublishedRejections) });
  }

  private setState(next: RunState): void {
    this.status.state = next;
    this.current = next;
    this.coarse ??= this.changes.has('cairn-visible-state-on-change');
    const visible = this.coarse ? visibleState(next) : next;
    if (visible !== this.published) upsertSearchAttributes([{ key: CairnSearchAttributes.state, value: visible }]);
    this.published = visible;
    // Not a command: the Web UI reads it through a query, so it costs history nothing.
    setCurrentDetails(currentDetails({ ...this.status, budget: this.budget() }));
  }

  /**
   * Pending items go into the memo and a search attribute as well as the status
   * query: a CLI can then list and check them across runs without any worker.
   */
  private publishPending(resumeState: RunState = 'running_tools'): void {
    const { status } = this;
    status.pending = this.inbox.pending;
    upsertMemo({ pending: status.pending });
    upsertSearchAttributes([{ key: CairnSearchAttributes.waitingForHuman, value: status.pending.length > 0 }]);
    if (status.pending.length > 0) this.setState('waiting_for_human');
    else if (this.current === 'waiting_for_human') this.setState(resumeState === 'waiting_for_human' ? 'running_tools' : resumeState);
  }

  private toolCall(id: string): ToolCallStatus | undefined {
    return this.status.toolCalls.find((call) => call.id === id);
  }

  private updateCall(id: string, update: Partial<ToolCallStatus>): void {
    const call = this.toolCall(id);
    if (call) Object.assign(call, update);
  }
}
