import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES, OPUS_PRE_SKIP_SAMPLES } from '../../src/audio/formats.ts';
import { abortable, toOpusPackets } from '../../src/audio/pipeline.ts';
import { chunksOf, collect, sine, split } from './signal.ts';

/** A source the test feeds by hand; `next()` waits until a chunk is given or the source ends. */
class ManualSource implements AsyncIterableIterator<Buffer> {
  returned = false;
  #queue: Buffer[] = [];
  #waiting: ((result: IteratorResult<Buffer>) => void) | undefined;

  give(chunk: Buffer): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting !== undefined) waiting({ value: chunk, done: false });
    else this.#queue.push(chunk);
  }

  next(): Promise<IteratorResult<Buffer>> {
    const chunk = this.#queue.shift();
    if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<Buffer>> {
    this.returned = true;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)),
  ]);
}

describe('toOpusPackets', () => {
  it('yields the first packet as soon as the first 20 ms chunk has arrived', async () => {
    const source = new ManualSource();
    const packets = toOpusPackets(source);
    source.give(sine(440, 24_000, 480));
    const first = await within(packets.next(), 1000, 'first packet');
    expect(first.done).toBe(false);
    expect(first.value?.length).toBeGreaterThan(10);
    await packets.return(undefined);
    expect(source.returned).toBe(true);
  });

  it('emits ceil((duration + look-ahead) / 20 ms) packets', async () => {
    for (const samples24k of [24_000, 24_000 + 100, 12_345, 24_000 - 155, 24_000 - 156]) {
      const packets = await collect(toOpusPackets(chunksOf(split(sine(300, 24_000, samples24k), 1000))));
      expect(packets.length, `${samples24k} samples`).toBe(
        Math.ceil((2 * samples24k + OPUS_PRE_SKIP_SAMPLES) / FRAME_SAMPLES),
      );
    }
  });

  it('stops promptly on abort while the source stalls, and releases the source', async () => {
    const source = new ManualSource();
    const controller = new AbortController();
    const packets = toOpusPackets(source, controller.signal);
    source.give(sine(440, 24_000, 480));
    await packets.next();
    const pending = packets.next();
    setTimeout(() => controller.abort(new Error('skip')), 10);
    // The source never gives more: only the abort can end the wait.
    await expect(within(pending, 10_000, 'abort')).rejects.toThrow('skip');
    expect(source.returned).toBe(true);
    expect((await packets.next()).done).toBe(true);
  });

  it('rejects at once with an already-aborted signal', async () => {
    const packets = toOpusPackets(chunksOf([Buffer.alloc(960)]), AbortSignal.abort(new Error('gone')));
    await expect(packets.next()).rejects.toThrow('gone');
  });

  it('passes a source error through', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(960);
      throw new Error('tts failed');
    }
    await expect(collect(toOpusPackets(failing()))).rejects.toThrow('tts failed');
  });
});

describe('abortable', () => {
  it('passes values through and never holds more than one abort listener', async () => {
    const controller = new AbortController();
    const chunks = Array.from({ length: 100 }, (_, i) => Buffer.from(String(i)));
    const seen: string[] = [];
    for await (const chunk of abortable(chunksOf(chunks), controller.signal)) {
      seen.push(String(chunk));
      expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
    }
    expect(seen).toEqual(chunks.map(String));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
