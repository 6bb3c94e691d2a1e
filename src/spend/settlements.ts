import { setTimeout as delay } from 'node:timers/promises';
import { surelyNotApplied } from '../voices/storeFault.ts';
import type { AtomicCounters, Increment } from './counters.ts';

/** Pauses before each new try of a settlement the store refused without applying it (~30 s in all), in ms. */
export const SETTLE_RETRY_DELAYS_MS: readonly number[] = [250, 500, 1_000, 2_000, 4_000, 8_000, 15_000];

/**
 * Counter changes that settle speech already spoken: they must land even if the store is briefly away.
 * @remarks A change is tried again only after a failure that surely applied nothing (a command refused while
 * Redis was offline, a rolled-back SQLite transaction), never after a timeout that may have applied it, so
 * nothing is counted twice. Past the last pause the failure is passed on, for the caller to log.
 */
export class Settlements {
  readonly #counters: AtomicCounters;
  readonly #delaysMs: readonly number[];
  readonly #underway = new Set<Promise<void>>();
  readonly #flushing = new AbortController();

  constructor(counters: AtomicCounters, delaysMs: readonly number[] = SETTLE_RETRY_DELAYS_MS) {
    this.#counters = counters;
    this.#delaysMs = delaysMs;
  }

  /** Applies `increments` (no ceilings), retrying as described above. */
  apply(increments: readonly Increment[]): Promise<void> {
    const task = this.#tryUntilDone(increments);
    this.#underway.add(task);
    void task.finally(() => this.#underway.delete(task)).catch(() => undefined);
    return task;
  }

  /** Cuts every pending pause short (one last try each) and waits for them: for shutdown. */
  async flush(): Promise<void> {
    this.#flushing.abort();
    await Promise.allSettled([...this.#underway]);
  }

  async #tryUntilDone(increments: readonly Increment[]): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.#counters.apply(increments);
        return;
      } catch (error) {
        const pause = this.#delaysMs[attempt];
        if (pause === undefined || this.#flushing.signal.aborted || !surelyNotApplied(error)) throw error;
        await delay(pause, undefined, { signal: this.#flushing.signal }).catch(() => undefined);
      }
    }
  }
}
