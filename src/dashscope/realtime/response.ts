/** One commit-mode response on a realtime session: its audio queue and what the metrics need. */
import { BYTES_PER_SAMPLE, TTS_SAMPLE_RATE_HZ } from '../../audio/formats.ts';
import { noAudioError, serverError } from '../classify.ts';
import type { DashScopeError } from '../errors.ts';
import { EvenBytes } from '../evenBytes.ts';
import { ChunkQueue } from './chunkQueue.ts';

/** `response.done` statuses that mean the audio is complete; an absent status is taken as success. */
const COMPLETED_STATUSES = new Set([undefined, 'completed']);

/** Bytes of 24 kHz mono s16le audio per second. */
const BYTES_PER_SECOND = TTS_SAMPLE_RATE_HZ * BYTES_PER_SAMPLE;
/** Audio queued ahead of the reader past which the socket stops reading (backpressure), seconds. */
export const QUEUE_HIGH_SECONDS = 10;
/** Queued audio at or below which reading resumes, seconds. */
export const QUEUE_LOW_SECONDS = 5;
/**
 * Longest audio a response may carry per code point of its text, ms, plus {@link AUDIO_SLACK_MS}.
 * @remarks Speech runs at ~70 ms per Latin letter and ~250 ms per CJK ideograph; a peer that streams
 * far beyond that (or forever) is cut off instead of being played and paid for without end.
 */
export const AUDIO_MS_PER_CODE_POINT = 500;
export const AUDIO_SLACK_MS = 10_000;

/** Asks the socket to stop (`true`) or resume (`false`) reading. */
export type Pressure = (full: boolean) => void;

/**
 * The client side of one response: audio in arrival order, even-length chunks only.
 * @remarks Fed by the session's socket callbacks; nothing here throws.
 */
export class RealtimeResponse {
  /** Even-length PCM chunks; ends at `response.done`, fails with the session's error. */
  readonly chunks: ChunkQueue<Buffer>;
  /** When the text was sent (`performance.now()`). */
  readonly sentAt = performance.now();
  /** When the first audio arrived (`performance.now()`). */
  firstAudioAt: number | undefined;
  /** `usage.characters` of `response.done`. */
  characters = 0;
  /** Whether the server sent anything for this response; before that, the text may not have been received. */
  acknowledged = false;
  readonly #maxAudioBytes: number;
  #even = new EvenBytes();
  #audioBytes = 0;

  /** A response to `codePoints` of text; `pressure` pauses and resumes the socket. */
  constructor(codePoints = 0, pressure: Pressure = () => {}) {
    const maxMs = AUDIO_SLACK_MS + AUDIO_MS_PER_CODE_POINT * codePoints;
    this.#maxAudioBytes = Math.round((maxMs / 1000) * BYTES_PER_SECOND);
    this.chunks = new ChunkQueue<Buffer>({
      high: QUEUE_HIGH_SECONDS * BYTES_PER_SECOND,
      low: QUEUE_LOW_SECONDS * BYTES_PER_SECOND,
      weigh: (chunk) => chunk.length,
      onPressure: pressure,
    });
  }

  /**
   * Adds a decoded `response.audio.delta`.
   * @returns the error to fail the session with, when the audio runs far longer than its text.
   */
  addAudio(bytes: Buffer): DashScopeError | undefined {
    this.acknowledged = true;
    if (bytes.length === 0) return undefined;
    this.firstAudioAt ??= performance.now();
    this.#audioBytes += bytes.length;
    if (this.#audioBytes > this.#maxAudioBytes) {
      const seconds = Math.round(this.#maxAudioBytes / BYTES_PER_SECOND);
      return serverError({ code: 'AudioTooLong', message: `the audio ran past ${seconds} s for its text` });
    }
    const even = this.#even.take(bytes);
    if (even.length > 0) this.chunks.push(even);
    return undefined;
  }

  /**
   * Ends the response at `response.done`.
   * @returns the error to fail the session with, when the response failed or carried no audio.
   */
  complete(status: string | undefined, characters: number | undefined): DashScopeError | undefined {
    this.acknowledged = true;
    if (!COMPLETED_STATUSES.has(status)) {
      return serverError({ code: 'ResponseFailed', message: `response.done with status "${status}"` });
    }
    if (this.#audioBytes === 0) return noAudioError('response.done arrived without any audio');
    this.characters = characters ?? 0;
    this.chunks.end();
    return undefined;
  }

  fail(reason: unknown): void {
    this.chunks.fail(reason);
  }
}
