/**
 * Runs async tasks one at a time per key, in call order; different keys run concurrently.
 * @remarks The in-process half of the store's atomic updates: turns on the SQLite connection, and
 * updates of the same Redis keys (so only other processes make a compare-and-set retry). This is
 * the whole of a per-key mutex in a dozen lines; the small libraries that fit (`async-mutex`,
 * `p-queue`) would still need a map of instances keyed by key, evicted when idle, which is exactly
 * what this class is. It only orders work inside one process; across processes the store does.
 */
export class KeyedSerial {
  /** The settled-tail promise of each key's chain; removed once the chain drains. */
  readonly #tails = new Map<string, Promise<void>>();

  /** Queues `task` behind every earlier task for `key`; settles as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(ignore, ignore);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Keys with queued or running work (for tests and diagnostics). */
  get busyKeys(): number {
    return this.#tails.size;
  }
}

function ignore(): void {}
