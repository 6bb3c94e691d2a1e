import { afterAll, describe, expect, it, vi } from 'vitest';
import { COALESCE_MS, ENCODE_BATCH_FRAMES, EncoderPool } from '../../src/audio/encoderPool.ts';
import { toOpusPackets } from '../../src/audio/pipeline.ts';
import { chirp, chunksOf, collect, split } from './signal.ts';

const pool = new EncoderPool(2);
afterAll(() => pool.close());

/** 1.5 s of a 24 kHz mono chirp, in uneven chunks (some odd sizes of whole samples). */
const PCM = chirp(200, 3_000, 24_000, 36_000);
const CHUNKS = split(PCM, 2_222);

/** Yields `chunks` and counts how many the reader has pulled. */
function counted(chunks: readonly Buffer[]): { source: AsyncGenerator<Buffer>; pulled: () => number } {
  let pulled = 0;
  const source = (async function* () {
    for (const chunk of chunks) {
      pulled += chunk.length;
      yield chunk;
    }
  })();
  return { source, pulled: () => pulled };
}

describe('EncoderPool', () => {
  it('encodes byte-identical Opus packets to the main-thread pipeline', async () => {
    const main = await collect(toOpusPackets(chunksOf(CHUNKS)));
    const pooled = await collect(pool.encode(chunksOf(CHUNKS)));
    expect(pooled.length).toBe(main.length);
    expect(Buffer.concat(pooled).equals(Buffer.concat(main))).toBe(true);
  });

  it('encodes several streams at once on its threads, each like the main-thread pipeline', async () => {
    const main = await collect(toOpusPackets(chunksOf(CHUNKS)));
    const streams = await Promise.all([1, 2, 3, 4, 5].map(() => collect(pool.encode(chunksOf(CHUNKS)))));
    for (const packets of streams) expect(Buffer.concat(packets).equals(Buffer.concat(main))).toBe(true);
    expect(pool.streams).toBe(0);
  });

  it('sends the requests of streams encoding at once to a thread together, one message for many', async () => {
    const before = pool.messagesPosted;
    const main = await collect(toOpusPackets(chunksOf(CHUNKS)));
    const streams = await Promise.all(Array.from({ length: 20 }, () => collect(pool.encode(chunksOf(CHUNKS)))));
    for (const packets of streams) expect(Buffer.concat(packets).equals(Buffer.concat(main))).toBe(true);
    // Each stream makes one request per batch of frames and one to finish; one message per request would be 20 × that.
    const requestsPerStream = Math.ceil(main.length / ENCODE_BATCH_FRAMES) + 1;
    expect(pool.messagesPosted - before).toBeLessThan((20 * requestsPerStream) / 4);
  });

  it("sends a stream's first PCM at once and holds later batches up to COALESCE_MS for other streams", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // setImmediate and the thread stay real
    try {
      const before = pool.packetsEncoded;
      const packets = pool.encode(chunksOf(CHUNKS));
      await packets.next(); // the first batch went without waiting for the (frozen) window
      const firstBatch = pool.packetsEncoded - before;
      for (let taken = 1; taken < firstBatch; taken++) await packets.next();
      const next = packets.next(); // asks for the second batch
      const sent = pool.messagesPosted;
      for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(pool.messagesPosted).toBe(sent); // held for the window
      vi.advanceTimersByTime(COALESCE_MS);
      expect(pool.messagesPosted).toBe(sent + 1);
      expect((await next).done).toBe(false);
      await packets.return(undefined);
    } finally {
      vi.useRealTimers();
    }
  });

  it('encodes only a few frames ahead of its reader, whatever the source holds', async () => {
    const { source, pulled } = counted([PCM]); // all 1.5 s available at once
    const packets = pool.encode(source);
    const before = pool.packetsEncoded;
    for (let taken = 1; taken <= 20; taken++) {
      await packets.next();
      // The whole 1.5 s (75 frames) is available, but only the batch being read from has been encoded.
      expect(pool.packetsEncoded - before - taken).toBeLessThan(ENCODE_BATCH_FRAMES);
    }
    expect(pulled()).toBe(PCM.length);
    await packets.return(undefined);
    expect(pool.streams).toBe(0);
  });

  it('stops at once when aborted, freeing its stream', async () => {
    const controller = new AbortController();
    const never = (async function* () {
      yield PCM.subarray(0, 4_800);
      await new Promise(() => {});
    })();
    const packets = pool.encode(never, controller.signal);
    await packets.next();
    controller.abort(new Error('skipped'));
    await expect(collect(packets)).rejects.toThrow('skipped');
    expect(pool.streams).toBe(0);
  });

  it('fails the request in flight when aborted, without waiting for its thread', async () => {
    const controller = new AbortController();
    const packets = pool.encode(chunksOf(CHUNKS), controller.signal);
    const first = packets.next(); // its PCM is queued for a thread, not yet answered
    controller.abort(new Error('stopped'));
    await expect(first).rejects.toThrow('stopped');
    expect(pool.streams).toBe(0);
  });
});
