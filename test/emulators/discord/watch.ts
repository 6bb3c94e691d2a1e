/**
 * One change signal for the whole emulator: state changes call `notify()`, tests wait with `until()`.
 */

interface Waiter {
  check(): void;
  fail(error: Error): void;
}

/** Default wait of the emulator's `waitFor…` helpers, in milliseconds. */
export const DEFAULT_WAIT_MS = 5_000;

/** Re-evaluates every pending wait whenever emulator state changes. */
export class Watch {
  #waiters = new Set<Waiter>();
  #closed = false;

  /** Re-runs every pending probe. */
  notify(): void {
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  /**
   * Resolves with the first non-`undefined` value of `probe`, re-evaluated after each change.
   * @remarks Rejects after `timeoutMs` with `what` in the message, or when the emulator closes.
   */
  until<T>(probe: () => T | undefined, timeoutMs: number = DEFAULT_WAIT_MS, what = 'condition'): Promise<T> {
    if (this.#closed) return Promise.reject(new Error(`discord emulator closed while waiting for ${what}`));
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter: Waiter = {
        check: () => {
          let value: T | undefined;
          try {
            value = probe();
          } catch (error) {
            done();
            reject(error instanceof Error ? error : new Error(String(error)));
            return;
          }
          if (value === undefined) return;
          done();
          resolve(value);
        },
        fail: (error) => {
          done();
          reject(error);
        },
      };
      const timer = setTimeout(
        () => waiter.fail(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      this.#waiters.add(waiter);
      waiter.check();
    });
  }

  /** Rejects every pending wait; later waits reject at once. */
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) waiter.fail(new Error('discord emulator closed'));
  }
}
