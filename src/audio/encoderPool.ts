import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { EncodeStep, FromEncoder } from './encodeProtocol.ts';
import { BYTES_PER_SAMPLE, FRAME_MS, TTS_SAMPLE_RATE_HZ } from './formats.ts';
import { abortable } from './pipeline.ts';

/** 24 kHz mono PCM sent to a worker per request, in 20 ms frames: the encoder runs at most this far ahead. */
export const ENCODE_BATCH_FRAMES = 3;
/**
 * How long a request may wait for others to share its message to a thread, ms. A stream's reader asks for the next
 * batch with four packets (80 ms) still in hand, so this costs no lateness; a stream's first packets never wait.
 */
export const COALESCE_MS = 5;
const BATCH_BYTES = (ENCODE_BATCH_FRAMES * FRAME_MS * TTS_SAMPLE_RATE_HZ * BYTES_PER_SAMPLE) / 1000;
const WORKER_URL = new URL('./encodeWorker.ts', import.meta.url);

interface Waiter {
  resolve(packets: Buffer[]): void;
  reject(error: Error): void;
}

/** One worker thread and the streams it encodes; each stream has at most one request in flight. */
interface Slot {
  worker: Worker;
  streams: number;
  waiting: Map<number, Waiter>;
  /** Steps not yet sent, and the PCM buffers they transfer. */
  queued: EncodeStep[];
  transfer: ArrayBuffer[];
}

/**
 * Opus encoding (24 kHz mono PCM → 20 ms Opus packets) on a pool of worker threads, so the main thread only moves
 * packets.
 * @remarks Hand-written over `worker_threads` rather than a task pool such as piscina: a stream's Opus encoder
 * state must stay in one thread from its first chunk to its last, and task pools hand each
 * task to whichever thread is free. A stream goes to the thread with the fewest streams. Encoding is pulled: a
 * batch of at most {@link ENCODE_BATCH_FRAMES} frames is encoded when the reader has taken the packets of the last
 * one, so the CPU follows playback and no encoded backlog builds up. The steps all streams queue within
 * {@link COALESCE_MS} go to a thread as one message, answered with one message: at 100 streams, a few messages per
 * 20 ms instead of one each way per stream and batch, each waking a thread. (@discordjs/voice reads its players one
 * per turn of the event loop, so a turn alone gathers only one or two.) The output is byte-identical to
 * `toOpusPackets` (same encoder and settings, frames independent of chunking).
 */
export class EncoderPool {
  readonly #threads: number;
  readonly #slots: Slot[] = [];
  #nextStream = 1;
  #closed = false;
  #packets = 0;
  #messages = 0;
  #flushSoon: NodeJS.Timeout | undefined;
  #flushNow: NodeJS.Immediate | undefined;

  /** `threads` defaults to the machine's available parallelism. */
  constructor(threads = availableParallelism()) {
    if (!(threads >= 1)) throw new RangeError(`threads must be at least 1, got ${threads}`);
    this.#threads = threads;
  }

  /** Streams being encoded now, across all threads. */
  get streams(): number {
    return this.#slots.reduce((sum, slot) => sum + slot.streams, 0);
  }

  /** Opus packets the threads have returned so far (tests compare it with what readers took). */
  get packetsEncoded(): number {
    return this.#packets;
  }

  /** Messages posted to the threads so far (tests check that streams share them). */
  get messagesPosted(): number {
    return this.#messages;
  }

  /** 24 kHz mono s16le chunks → 20 ms Opus packets (48 kHz); the pipeline's `Encode`. */
  readonly encode = (pcm24kMono: AsyncIterable<Buffer>, signal?: AbortSignal): AsyncGenerator<Buffer> =>
    this.#encode(pcm24kMono, signal);

  /** Stops every thread; streams in progress fail. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#flushSoon);
    clearImmediate(this.#flushNow);
    await Promise.all(this.#slots.splice(0).map((slot) => slot.worker.terminate()));
  }

  async *#encode(pcm: AsyncIterable<Buffer>, signal: AbortSignal | undefined): AsyncGenerator<Buffer> {
    if (this.#closed) throw new Error('the encoder pool is closed');
    const slot = this.#pick();
    const stream = this.#nextStream++;
    slot.streams += 1;
    this.#post(slot, { op: 'open', stream });
    // One listener for the stream's life, not one per request: an abort fails the request in flight.
    const onAbort = (): void => {
      slot.waiting.get(stream)?.reject(signal?.reason);
      slot.waiting.delete(stream);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let urgent = true; // until the reader has its first packet
    try {
      for await (const chunk of abortable(pcm, signal)) {
        for (let at = 0; at < chunk.length; at += BATCH_BYTES) {
          const batch = new Uint8Array(chunk.subarray(at, at + BATCH_BYTES));
          const packets = await this.#request(slot, { op: 'push', stream, pcm: batch }, urgent);
          urgent &&= packets.length === 0;
          yield* packets;
        }
      }
      yield* await this.#request(slot, { op: 'finish', stream }, urgent);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      slot.streams -= 1;
      slot.waiting.delete(stream);
      this.#post(slot, { op: 'close', stream });
    }
  }

  #request(slot: Slot, step: EncodeStep, urgent: boolean): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      slot.waiting.set(step.stream, { resolve, reject });
      this.#post(slot, step, urgent);
    });
  }

  /**
   * Queues a step for the thread. Everything queued goes out together: within {@link COALESCE_MS}, or once this turn
   * of the event loop is done when `urgent`.
   */
  #post(slot: Slot, step: EncodeStep, urgent = false): void {
    if (!this.#slots.includes(slot)) {
      slot.waiting.get(step.stream)?.reject(new Error('the encoder thread is gone'));
      return;
    }
    slot.queued.push(step);
    if (step.op === 'push') slot.transfer.push(step.pcm.buffer as ArrayBuffer);
    if (urgent) this.#flushNow ??= setImmediate(() => this.#flush());
    else this.#flushSoon ??= setTimeout(() => this.#flush(), COALESCE_MS);
  }

  #flush(): void {
    clearTimeout(this.#flushSoon);
    clearImmediate(this.#flushNow);
    this.#flushSoon = undefined;
    this.#flushNow = undefined;
    for (const slot of this.#slots) {
      if (slot.queued.length === 0) continue;
      slot.worker.postMessage(slot.queued, slot.transfer);
      this.#messages += 1;
      slot.queued = [];
      slot.transfer = [];
    }
  }

  /** The thread with the fewest streams; a new one while the pool is below its size. */
  #pick(): Slot {
    const least = this.#slots.reduce<Slot | undefined>(
      (a, b) => (a === undefined || b.streams < a.streams ? b : a),
      undefined,
    );
    if (least !== undefined && (least.streams === 0 || this.#slots.length >= this.#threads)) return least;
    const slot: Slot = { worker: new Worker(WORKER_URL), streams: 0, waiting: new Map(), queued: [], transfer: [] };
    slot.worker.unref();
    slot.worker.on('message', (reply: FromEncoder) => this.#answer(slot, reply));
    slot.worker.on('error', (error) => this.#lose(slot, error));
    slot.worker.on('exit', (code) => this.#lose(slot, new Error(`the encoder thread exited (code ${code})`)));
    this.#slots.push(slot);
    return slot;
  }

  #answer(slot: Slot, reply: FromEncoder): void {
    let at = reply.packets.byteOffset;
    for (const answer of reply.answers) {
      const waiter = slot.waiting.get(answer.stream);
      slot.waiting.delete(answer.stream);
      if ('error' in answer) {
        waiter?.reject(new Error(`Opus encoding failed: ${answer.error}`));
        continue;
      }
      const packets: Buffer[] = [];
      for (const length of answer.lengths) {
        packets.push(Buffer.from(reply.packets.buffer, at, length));
        at += length;
      }
      this.#packets += packets.length;
      waiter?.resolve(packets);
    }
  }

  /** A thread failed or exited: its streams fail, and a new thread takes the next streams. */
  #lose(slot: Slot, error: Error): void {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    slot.queued = [];
    slot.transfer = [];
    for (const waiter of slot.waiting.values()) waiter.reject(error);
    slot.waiting.clear();
  }
}
