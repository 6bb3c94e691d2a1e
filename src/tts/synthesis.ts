/** Building `Synthesis` objects from async generators, and the small PCM helpers both engines share. */
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
  return createSynthesis(async function* () {
    throw error;
  });
}

function rejecting(error: Error): AsyncIterator<Buffer> {
  return { next: () => Promise.reject(error) };
}

/**
 * Re-cuts a byte stream into even-length chunks (whole 16-bit samples).
 * @remarks The spec does not promise whole samples per delta (§1.7), so an odd byte is carried over.
 */
export class EvenBytes {
  #carry: Buffer | undefined;

  /** The even-length part of `carry + bytes` (possibly empty); keeps the odd last byte for next time. */
  take(bytes: Buffer): Buffer {
    const joined = this.#carry === undefined ? bytes : Buffer.concat([this.#carry, bytes]);
    this.#carry = undefined;
    if (joined.length % 2 === 0) return joined;
    this.#carry = joined.subarray(joined.length - 1);
    return joined.subarray(0, joined.length - 1);
  }
}

/** Milliseconds from `start` to `end` (`performance.now()` values), rounded to 0.1 ms. */
export function spanMs(start: number, end: number): number {
  return Math.round((end - start) * 10) / 10;
}

/** Milliseconds since `start` (a `performance.now()` value), rounded to 0.1 ms. */
export function elapsedMs(start: number): number {
  return spanMs(start, performance.now());
}
