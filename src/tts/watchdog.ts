/** One re-armable timer, for phase timeouts. */
export class Watchdog {
  #timer: NodeJS.Timeout | undefined;

  /** Calls `onFire` after `ms` unless re-armed or cleared first. */
  arm(ms: number, onFire: () => void): void {
    this.clear();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      onFire();
    }, ms);
  }

  clear(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
