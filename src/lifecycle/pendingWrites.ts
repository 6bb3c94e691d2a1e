import { setTimeout as delay } from 'node:timers/promises';

/**
 * Store writes that nobody awaits (usage counters, spend settlements after an utterance), kept so that
 * shutdown can wait for them before it closes the store.
 */
export class PendingWrites {
  readonly #inFlight = new Set<Promise<unknown>>();

  /** Remembers `write` until it settles; returns it. */
  track<T>(write: Promise<T>): Promise<T> {
    this.#inFlight.add(write);
    const forget = (): void => void this.#inFlight.delete(write);
    write.then(forget, forget);
    return write;
  }

  /** Waits up to `timeoutMs` for every tracked write; returns how many are still in flight. */
  async drain(timeoutMs: number): Promise<number> {
    const timeout = delay(timeoutMs, undefined, { ref: false });
    await Promise.race([Promise.allSettled([...this.#inFlight]), timeout]);
    return this.#inFlight.size;
  }
}
