// biome-ignore-all lint/style/noNonNullAssertion: DSP inner loops index typed arrays within bounds checked once per
// call.
import { endianness } from 'node:os';
import { Transform, type TransformCallback } from 'node:stream';
import { HALF_TAPS, HISTORY, interpolate } from './halfband.ts';

export {
  halfBandPrototype,
  UPSAMPLE_DELAY_MS,
  UPSAMPLE_DELAY_SAMPLES,
  UPSAMPLE_TAPS,
} from './halfband.ts';

if (endianness() !== 'LE') throw new Error('upsample.ts reads and writes s16le through Int16Array: little-endian only');

/**
 * Input samples the work buffer holds at first: 20 ms at 24 kHz; it grows for larger chunks.
 *
 * @remarks Kept small on purpose: a bot runs hundreds of these, and a tick touches all of them.
 */
const INITIAL_CHUNK_SAMPLES = 480;
/** Bytes of output per input sample: 2 samples × 2 bytes. */
const OUT_BYTES_PER_IN_SAMPLE = 4;

/**
 * Streaming 2× interpolator: 24 kHz mono s16le in, 48 kHz mono s16le out.
 *
 * @remarks
 * A 63-tap half-band FIR (see halfband.ts): passband flat within ±0.001 dB to 10 kHz, images
 * ≥ 80 dB down, 31 samples (0.65 ms) of group delay. Output is a pure function of the sample
 * sequence, so any split of the input into chunks gives byte-identical output; an odd trailing
 * byte waits for the next chunk. Every input sample yields two output samples at once (no
 * look-ahead), so the first 20 ms Opus frame never waits for a second chunk.
 */
export class Upsampler {
  /** Input samples: HISTORY previous ones, then the current chunk. */
  #work = new Float64Array(HISTORY + INITIAL_CHUNK_SAMPLES);
  #carry = -1;
  /** Whether any sample arrived since the last flush (an idle upsampler has no tail). */
  #primed = false;

  /** Output of {@link Upsampler.pushTransient}, reused from call to call. */
  #scratch = new Int16Array(0);

  /** Upsamples one chunk; returns the 48 kHz bytes it completes (possibly empty). */
  push(chunk: Buffer): Buffer {
    const n = this.#decode(chunk);
    if (n === 0) return Buffer.alloc(0);
    const out = Buffer.allocUnsafe(n * OUT_BYTES_PER_IN_SAMPLE);
    const samples =
      out.byteOffset % 2 === 0 ? new Int16Array(out.buffer, out.byteOffset, 2 * n) : new Int16Array(2 * n);
    this.#interpolate(n, samples);
    return samples.buffer === out.buffer ? out : Buffer.from(samples.buffer, 0, out.length);
  }

  /**
   * Like {@link Upsampler.push}, but returns a view of a buffer that the next call overwrites.
   *
   * @remarks
   * For consumers that copy at once, like the Opus encoder (toOpusPackets): saves one allocation
   * per chunk per stream, and the GC and cache traffic that goes with it at hundreds of streams.
   */
  pushTransient(chunk: Buffer): Buffer {
    const n = this.#decode(chunk);
    if (this.#scratch.length < 2 * n) this.#scratch = new Int16Array(2 * n);
    if (n > 0) this.#interpolate(n, this.#scratch);
    return Buffer.from(this.#scratch.buffer, 0, n * OUT_BYTES_PER_IN_SAMPLE);
  }

  #interpolate(n: number, out: Int16Array): void {
    interpolate(this.#work, n, out);
    this.#work.copyWithin(0, n, n + HISTORY);
  }

  /**
   * Drains the filter tail (K zero samples in, 32 samples out) and resets for reuse.
   *
   * @remarks Empty if nothing was pushed since the last flush; a dangling odd byte is dropped.
   */
  flush(): Buffer {
    this.#carry = -1;
    if (!this.#primed) return Buffer.alloc(0);
    const tail = this.push(Buffer.alloc(HALF_TAPS * 2));
    this.#work.fill(0);
    this.#primed = false;
    return tail;
  }

  /** Decodes chunk (plus any carried byte) into #work after the history; returns sample count. */
  #decode(chunk: Buffer): number {
    if (chunk.length === 0) return 0;
    const carried = this.#carry >= 0 ? 1 : 0;
    const n = carried + ((chunk.length - carried) >> 1);
    this.#ensure(n);
    const w = this.#work;
    if (carried === 0 && chunk.byteOffset % 2 === 0) {
      w.set(new Int16Array(chunk.buffer, chunk.byteOffset, n), HISTORY);
    } else {
      let at = HISTORY;
      if (carried === 1) w[at++] = ((this.#carry | (chunk[0]! << 8)) << 16) >> 16;
      for (let i = carried; i + 1 < chunk.length; i += 2) w[at++] = ((chunk[i]! | (chunk[i + 1]! << 8)) << 16) >> 16;
    }
    this.#carry = (chunk.length - carried) % 2 === 1 ? chunk[chunk.length - 1]! : -1;
    if (n > 0) this.#primed = true;
    return n;
  }

  #ensure(n: number): void {
    if (this.#work.length >= HISTORY + n) return;
    const grown = new Float64Array(HISTORY + Math.max(n, 2 * this.#work.length));
    grown.set(this.#work.subarray(0, HISTORY));
    this.#work = grown;
  }
}

/** A `Transform` over {@link Upsampler}: 24 kHz mono s16le in, 48 kHz mono s16le out. */
export class UpsampleStream extends Transform {
  #upsampler = new Upsampler();

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      const out = this.#upsampler.push(chunk);
      if (out.length > 0) this.push(out);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      done(null, this.#upsampler.flush());
    } catch (error) {
      done(error as Error);
    }
  }
}
