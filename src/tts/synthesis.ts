/** Building `Synthesis` objects from async generators, and the timing helpers both engines share. */
import type { Synthesis, UtteranceMetrics } from './engine.ts';
import { emptyMetrics } from './engine.ts';

/**
 * A {@link Synthesis} whose audio comes from `run(metrics)`, started on first iteration.
 * @remarks A second iteration throws: the audio is a stream, not a value.
 */
export function createSynthesis(run: (metrics: UtteranceMetrics) => AsyncGenerator<Buffer>): Synthesis {
  const metrics = emptyMetrics();
  let started = false;
  return {
    metrics,
    [Symbol.asyncIterator](): AsyncIterator<Buffer> {
      if (started) return rejecting(new Error('A Synthesis can be iterated only once.'));
      started = true;
      return run(metrics);
    },
  };
}

/** A {@link Synthesis} whose iterator throws `error` at once. */
export function failedSynthesis(error: unknown): Synthesis {
  // biome-ignore lint/correctness/useYield: it fails before its first chunk, so it has nothing to yield.
  return createSynthesis(async function* () {
    throw error;
  });
}

function rejecting(error: Error): AsyncIterator<Buffer> {
  return { next: () => Promise.reject(error) };
}

/** Milliseconds from `start` to `end` (`performance.now()` values), rounded to 0.1 ms. */
export function spanMs(start: number, end: number): number {
  return Math.round((end - start) * 10) / 10;
}

/** Milliseconds since `start` (a `performance.now()` value), rounded to 0.1 ms. */
export function elapsedMs(start: number): number {
  return spanMs(start, performance.now());
}
