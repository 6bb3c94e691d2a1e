/** An async iterable that is already being consumed in the background. */
export interface Prefetched<T> extends AsyncIterable<T> {
  /** Stops the background consumption and drops what was buffered. */
  cancel(): void;
}

/**
 * Starts consuming `source` now and buffers its items, so the audio of the next utterance is being
 * made while the current one plays; iterating replays the buffer and then follows the source live.
 * @remarks Iterate it once. An error of the source is held and thrown to the reader at its place in the stream.
 */
export function prefetch<T>(source: AsyncIterable<T>): Prefetched<T> {
  const buffer: T[] = [];
  let done = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const iterator = source[Symbol.asyncIterator]();
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  void (async () => {
    try {
      for (let next = await iterator.next(); !next.done && !done; next = await iterator.next()) {
        buffer.push(next.value);
        notify();
      }
    } catch (error) {
      failure = { error };
    } finally {
      done = true;
      notify();
    }
  })();
  const cancel = (): void => {
    if (!done) void iterator.return?.();
    done = true;
    buffer.length = 0;
    notify();
  };
  return {
    cancel,
    async *[Symbol.asyncIterator](): AsyncGenerator<T> {
      try {
        for (;;) {
          if (buffer.length > 0) {
            yield buffer.shift() as T;
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
