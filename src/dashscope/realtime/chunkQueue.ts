interface Waiter<T> {
  resolve: (item: T | undefined) => void;
  reject: (reason: unknown) => void;
}

/**
 * A single-consumer queue that a socket callback pushes into and an async iterator pulls from.
 * @remarks Callbacks never throw: a failure is stored and rejects the consumer's next pull.
 */
export class ChunkQueue<T> {
  #items: T[] = [];
  #ended = false;
  #failure: { reason: unknown } | undefined;
  #waiter: Waiter<T> | undefined;

  /** Whether `end` or `fail` was called. */
  get settled(): boolean {
    return this.#ended || this.#failure !== undefined;
  }

  push(item: T): void {
    if (this.settled) return;
    const waiter = this.#takeWaiter();
    if (waiter) waiter.resolve(item);
    else this.#items.push(item);
  }

  /** No more items: pulls drain what is queued, then get `undefined`. */
  end(): void {
    if (this.settled) return;
    this.#ended = true;
    this.#takeWaiter()?.resolve(undefined);
  }

  /** Fails the queue: queued items are dropped and every pull rejects with `reason`. Ignored once ended. */
  fail(reason: unknown): void {
    if (this.settled) return;
    this.#failure = { reason };
    this.#items = [];
    this.#takeWaiter()?.reject(reason);
  }

  /** The next item, `undefined` once ended, or a rejection with the failure reason. */
  next(): Promise<T | undefined> {
    if (this.#failure) return Promise.reject(this.#failure.reason);
    if (this.#items.length > 0) return Promise.resolve(this.#items.shift());
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #takeWaiter(): Waiter<T> | undefined {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    return waiter;
  }
}
