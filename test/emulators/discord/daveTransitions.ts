/**
 * Transition sequencing: ids for announced commits, waiting for every member's op 23, then one
 * op 22 (or after a timeout, as the voice gateway does).
 */

interface Pending {
  waiting: Set<string>;
  timer: NodeJS.Timeout;
}

/** Pending transitions of one call; `execute` is called once per transition. */
export class Transitions {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly timeoutMs: number;
  private readonly execute: (id: number) => void;

  constructor(timeoutMs: number, execute: (id: number) => void) {
    this.timeoutMs = timeoutMs;
    this.execute = execute;
  }

  /** The next counted id (1…65535, then 1 again; 0 is reserved for (re)initialization). */
  takeId(): number {
    const id = this.nextId;
    this.nextId = id >= 0xffff ? 1 : id + 1;
    return id;
  }

  /** Waits for op 23 from each of `userIds`. */
  await(id: number, userIds: readonly string[]): void {
    const timer = setTimeout(() => this.finish(id), this.timeoutMs);
    timer.unref();
    this.pending.set(id, { waiting: new Set(userIds), timer });
    if (userIds.length === 0) this.finish(id);
  }

  /** op 23 from `userId` (also used when a member leaves: it is no longer waited for). */
  ready(userId: string, id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    pending.waiting.delete(userId);
    if (pending.waiting.size === 0) this.finish(id);
  }

  /** A member left: nothing waits for it any more. */
  forget(userId: string): void {
    for (const id of [...this.pending.keys()]) this.ready(userId, id);
  }

  /** Stops every timer. */
  close(): void {
    for (const pending of this.pending.values()) clearTimeout(pending.timer);
    this.pending.clear();
  }

  private finish(id: number): void {
    const pending = this.pending.get(id);
    if (pending === undefined) return;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    this.execute(id);
  }
}
