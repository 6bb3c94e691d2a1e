import { Readable } from 'node:stream';
import { BYTES_PER_SAMPLE, FRAME_MS, SPEECH_SAMPLE_RATE_HZ } from '../audio/formats.ts';
import { FULL_COMPLEXITY, SPEECH_OPUS_SETTINGS, SpeechOpusEncoder } from '../audio/opus.ts';
import { FrameSchedule } from './frameSchedule.ts';

/**
 * Opus packets encoded ahead of the voice cycle, 20 ms each (Node's default for object streams is 16).
 * @remarks A few frames ahead ride out a busy turn of the voice thread's event loop without an encoded backlog.
 */
export const PACKETS_AHEAD = 5;
/** Bytes of 24 kHz mono PCM in one 20 ms frame. */
const FRAME_BYTES = (SPEECH_SAMPLE_RATE_HZ * FRAME_MS * BYTES_PER_SAMPLE) / 1000;

/** How far the relayed PCM has got: still coming, all in, or cut short by its source's failure. */
type PcmEnd = 'open' | 'done' | 'failed';

/** What a stream tells its voice thread. */
export interface SpeechPacketsEvents {
  /** The encoder started on `bytes` of PCM: the main thread may send that much more. */
  onTaken(bytes: number): void;
  /** The cycle took a packet `behindMs` behind the stream's 20 ms schedule (see {@link FrameSchedule}). */
  onFrame(behindMs: number): void;
}

/**
 * One stream's speech on its voice thread: the 24 kHz mono PCM the main thread relays goes in, and the audio
 * voice cycle reads 20 ms Opus packets out, each frame encoded when the cycle's read makes room for it
 * ({@link PACKETS_AHEAD} packets ahead).
 *
 * @remarks
 * A `Readable` the cycle reads directly, so a packet costs one synchronous encode and no promise: the chain of
 * async generators it replaces (PCM inlet → abort race → encoder → lead-in → `Readable.from`) settled several
 * promises per packet, 4–7 % more CPU than the encoder alone (`bench/audio.ts` (f) measures this path). The PCM
 * is credited back (`onTaken`) as the encoder starts on each chunk, and each packet the cycle takes is timed
 * against the stream's 20 ms schedule (`onFrame`). A source that fails still plays what it delivered, then the
 * stream ends with {@link SpeechPackets.failed} set; `destroy()` stops it at once.
 */
export class SpeechPackets extends Readable {
  readonly #encoder: SpeechOpusEncoder;
  readonly #events: SpeechPacketsEvents;
  /** When the cycle reads; restarted when it plays again after a pause. */
  readonly schedule = new FrameSchedule();
  readonly #chunks: Buffer[] = [];
  /** Bytes of the first chunk already encoded. */
  #offset = 0;
  #end: PcmEnd = 'open';
  /** The cycle asked for a packet none could be encoded for yet: the next PCM goes out at once. */
  #wanted = false;
  /** The last packet is pushed. */
  #finished = false;
  /** Called whenever packets are added, the speech ends or the stream is destroyed (see {@link buffered}). */
  #changed: (() => void) | undefined;

  /** `complexity`: the Opus complexity it starts at (see {@link SpeechPackets.setComplexity}). */
  constructor(events: SpeechPacketsEvents, complexity = FULL_COMPLEXITY) {
    super({ objectMode: true, highWaterMark: PACKETS_AHEAD });
    this.#events = events;
    this.#encoder = new SpeechOpusEncoder({ ...SPEECH_OPUS_SETTINGS, complexity });
  }

  /** Encodes the frames from now on at this Opus complexity (0–10); a stream may change it at any frame. */
  setComplexity(complexity: number): void {
    if (!this.destroyed) this.#encoder.setComplexity(complexity);
  }

  /** The last packet is encoded: once none is left to read, the speech is over. */
  get finished(): boolean {
    return this.#finished;
  }

  /** The source failed: what it delivered was played, and the stream ended short. */
  get failed(): boolean {
    return this.#end === 'failed';
  }

  /** Adds relayed PCM, in order. */
  addPcm(pcm: Uint8Array): void {
    if (this.#end !== 'open' || this.destroyed) return;
    this.#chunks.push(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength));
    if (this.#wanted) this.#produce();
  }

  /** No more PCM comes (`failed`: its source failed); the rest is encoded, padded, and the stream ends. */
  endPcm(failed: boolean): void {
    if (this.#end !== 'open' || this.destroyed) return;
    this.#end = failed ? 'failed' : 'done';
    if (this.#wanted) this.#produce();
  }

  /**
   * Waits until `count` packets are ready to read, or fewer when the speech ends or the stream is destroyed first.
   * @returns How many are ready, at most `count`.
   */
  async buffered(count: number): Promise<number> {
    if (this.readableLength === 0 && !this.destroyed) this.read(0); // starts the encoder if nothing asked yet
    while (this.readableLength < count && !this.#finished && !this.destroyed)
      await new Promise<void>((resolve) => {
        this.#changed = resolve;
      });
    return Math.min(count, this.readableLength);
  }

  /** The cycle's read of the next packet, timed against the schedule (Node's own reads ask for 0 and are not). */
  override read(size?: number): Buffer | null {
    const packet = super.read(size) as Buffer | null;
    if (size === undefined) {
      const behindMs = this.schedule.read(performance.now());
      if (packet !== null) this.#events.onFrame(behindMs);
    }
    return packet;
  }

  override _read(): void {
    this.#produce();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.#encoder.destroy();
    this.#notify();
    done(error);
  }

  /** Pushes one encoded packet, or the tail and the end, or waits for PCM. */
  #produce(): void {
    this.#wanted = false;
    while (this.#chunks.length > 0) {
      const packet = this.#encodeSome();
      if (packet !== undefined) {
        this.push(packet);
        this.#notify();
        return;
      }
    }
    if (this.#end === 'open') {
      this.#wanted = true;
      return;
    }
    for (const packet of this.#encoder.finish()) this.push(packet);
    this.push(null);
    this.#finished = true;
    this.#notify();
  }

  /** Encodes up to one frame's worth of the first chunk; a packet when that completes a frame. */
  #encodeSome(): Buffer | undefined {
    const chunk = this.#chunks[0] as Buffer;
    if (this.#offset === 0) this.#events.onTaken(chunk.length);
    const end = Math.min(chunk.length, this.#offset + FRAME_BYTES);
    const [packet] = this.#encoder.encode(chunk.subarray(this.#offset, end));
    this.#offset = end;
    if (end === chunk.length) {
      this.#chunks.shift();
      this.#offset = 0;
    }
    return packet;
  }

  #notify(): void {
    this.#changed?.();
    this.#changed = undefined;
  }
}
