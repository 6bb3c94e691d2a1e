interface Waiter<T> {
  resolve: (item: T | undefined) => void;
  reject: (reason: unknown) => void;
}

/**
 * Backpressure for a {@link ChunkQueue}: past `high` queued units the producer is asked to pause, and
 * once the consumer has pulled it down to `low` or below it is asked to resume.
 */
export interface Watermarks<T> {
  high: number;
  low: number;
  /** The size of one item, in the units of `high` and `low` (bytes, for audio). */
  weigh(item: T): number;
  /** Called with `true` when the queue fills past `high`, with `false` when it drains to `low`. */
  onPressure(full: boolean): void;
}

/**
 * A single-consumer queue that a socket callback pushes into and an async iterator pulls from.
 * @remarks Callbacks never throw: a failure is stored and rejects the consumer's next pull. With
 * {@link Watermarks} the queue tells its producer when to stop reading, so what it holds stays bounded.
 */
export class ChunkQueue<T> {
  #items: T[] = [];
  #ended = false;
  #failure: { reason: unknown } | undefined;
  #waiter: Waiter<T> | undefined;
  readonly #marks: Watermarks<T> | undefined;
  #size = 0;
  #full = false;

  constructor(marks?: Watermarks<T>) {
    this.#marks = marks;
  }

  /** Whether `end` or `fail` was called. */
  get settled(): boolean {
    return this.#ended || this.#failure !== undefined;
  }

  /** Queued size, in the units of the watermarks (0 without them). */
  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    if (this.settled) return;
    const waiter = this.#takeWaiter();
    if (waiter) return waiter.resolve(item);
    this.#items.push(item);
    this.#grow(item, 1);
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
    this.#size = 0;
    this.#takeWaiter()?.reject(reason);
  }

  /** The next item, `undefined` once ended, or a rejection with the failure reason. */
  next(): Promise<T | undefined> {
    if (this.#failure) return Promise.reject(this.#failure.reason);
    if (this.#items.length > 0) {
      const item = this.#items.shift() as T;
      this.#grow(item, -1);
      return Promise.resolve(item);
    }
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  #grow(item: T, sign: 1 | -1): void {
    const marks = this.#marks;
    if (marks === undefined) return;
    this.#size += sign * marks.weigh(item);
    if (!this.#full && this.#size > marks.high) {
      this.#full = true;
      marks.onPressure(true);
    } else if (this.#full && this.#size <= marks.low) {
      this.#full = false;
      marks.onPressure(false);
    }
  }

  #takeWaiter(): Waiter<T> | undefined {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    return waiter;
  }
}
