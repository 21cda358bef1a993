/**
 * Waiting for a person: a question or an approval is added to the run's inbox,
 * announced, and awaited until someone resolves it, its timeout applies its
 * fallback, or (for a budget question) the run sees what it waited for.
 */
import { condition } from '@temporalio/workflow';
import type { HumanInbox, PendingItem, Resolution } from './human-inbox.ts';
import type { RunEvents } from './run-events.ts';

export class HumanWaits {
  constructor(
    private readonly inbox: HumanInbox,
    private readonly events: RunEvents,
    private readonly unattended: boolean,
  ) {}

  /**
   * Keeps `item` in the inbox while `work` runs (an asynchronous call awaited from outside the
   * workflow), and resolves it as `resolution` says of what the work returned.
   */
  async track<T>(item: PendingItem, work: () => Promise<T>, resolution: (result: T) => Resolution): Promise<T> {
    this.inbox.add(item);
    this.events.emit({ type: 'human_wait_opened', item });
    const result = await work();
    const resolved = resolution(result);
    this.inbox.settle(item.id, resolved);
    this.events.emit({ type: 'human_wait_resolved', item, resolution: resolved });
    return result;
  }

  /**
   * Waits for the item's resolution. `fallback` applies on timeout (and at once to a
   * question in an unattended run); `settledBy` ends the wait early with its resolution.
   */
  async wait(item: PendingItem, timeoutMs: number | undefined, fallback: () => Resolution, settledBy?: () => Resolution | undefined): Promise<Resolution> {
    if (item.kind === 'question' && this.unattended) return fallback();
    this.inbox.add(item);
    this.events.emit({ type: 'human_wait_opened', item });
    const done = () => this.inbox.resolution(item.id) !== undefined || settledBy?.() !== undefined;
    const resolved = timeoutMs === undefined ? (await condition(done), true) : await condition(done, timeoutMs);
    if (!resolved) {
      const applied = fallback();
      if (applied.kind === 'answer') this.inbox.answer({ questionId: item.id, answer: applied.answer }, 'timeout');
      else if (applied.kind === 'decision') this.inbox.decide({ callId: item.id, approved: applied.approved, reason: applied.reason }, 'timeout');
    }
    const settled = this.inbox.resolution(item.id) === undefined ? settledBy?.() : undefined;
    if (settled) this.inbox.settle(item.id, settled);
    const resolution = this.inbox.resolution(item.id)!;
    this.events.emit({ type: 'human_wait_resolved', item, resolution });
    return resolution;
  }
}
