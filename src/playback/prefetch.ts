/** An async iterable that is already being consumed in the background. */
export interface Prefetched<T> extends AsyncIterable<T> {
  /** Stops the background consumption and drops what was buffered. */
  cancel(): void;
  /** Resolves once the source is done: ended, failed or cancelled (all it gives is buffered or taken). */
  readonly settled: Promise<void>;
  /** Whether {@link Prefetched.settled} has resolved. */
  readonly done: boolean;
}

/**
 * Starts consuming `source` now and buffers up to `maxBuffered` items (weighed by `weigh`, 1 each by
 * default), so audio is received ahead of playback; iterating replays the buffer and then follows the source live.
 * @remarks Iterate it once. An error of the source is held and thrown to the reader at its place in the stream.
 * A full buffer stops pulling from the source until the reader takes an item: that backpressure reaches
 * DashScope, so text is sent and paid for only a few seconds ahead of playback.
 */
export function prefetch<T>(
  source: AsyncIterable<T>,
  maxBuffered = Number.POSITIVE_INFINITY,
  weigh: (item: T) => number = () => 1,
): Prefetched<T> {
  const buffer: T[] = [];
  let weight = 0;
  let done = false;
  const settled = Promise.withResolvers<void>();
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let room: (() => void) | undefined;
  const iterator = source[Symbol.asyncIterator]();
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  const freed = (): void => {
    room?.();
    room = undefined;
  };
  void (async () => {
    try {
      for (let next = await iterator.next(); !next.done && !done; next = await iterator.next()) {
        buffer.push(next.value);
        weight += weigh(next.value);
        notify();
        while (weight >= maxBuffered && !done) await new Promise<void>((resolve) => (room = resolve));
        if (done) break;
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      notify();
      settled.resolve();
    }
  })();
  const cancel = (): void => {
    if (!done) void iterator.return?.();
    done = true;
    buffer.length = 0;
    weight = 0;
    notify();
    freed();
    settled.resolve();
  };
  return {
    cancel,
    settled: settled.promise,
    get done(): boolean {
      return done;
    },
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      try {
        for (;;) {
          if (buffer.length > 0) {
            const item = buffer.shift() as T;
            weight -= weigh(item);
            freed();
            yield item;
            continue;
          }
          if (failure) throw failure.error;
          if (done) return;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        cancel(); // the reader stopped early, or finished: either way nothing more is wanted
      }
    },
  };
}
