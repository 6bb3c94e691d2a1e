/** One commit-mode response on a realtime session: its audio queue and what the metrics need. */
import { noAudioError, serverError } from '../classify.ts';
import type { DashScopeError } from '../errors.ts';
import { EvenBytes } from '../evenBytes.ts';
import { ChunkQueue } from './chunkQueue.ts';

/** `response.done` statuses that mean the audio is complete; an absent status is taken as success. */
const COMPLETED_STATUSES = new Set([undefined, 'completed']);

/**
 * The client side of one response: audio in arrival order, even-length chunks only.
 * @remarks Fed by the session's socket callbacks; nothing here throws.
 */
export class RealtimeResponse {
  /** Even-length PCM chunks; ends at `response.done`, fails with the session's error. */
  readonly chunks = new ChunkQueue<Buffer>();
  /** When the text was sent (`performance.now()`). */
  readonly sentAt = performance.now();
  /** When the first audio arrived (`performance.now()`). */
  firstAudioAt: number | undefined;
  /** `usage.characters` of `response.done`. */
  characters = 0;
  /** Whether the server sent anything for this response; before that, the text may not have been received. */
  acknowledged = false;
  #even = new EvenBytes();
  #audioBytes = 0;

  /** Adds a decoded `response.audio.delta`. */
  addAudio(bytes: Buffer): void {
    this.acknowledged = true;
    if (bytes.length === 0) return;
    this.firstAudioAt ??= performance.now();
    this.#audioBytes += bytes.length;
    const even = this.#even.take(bytes);
    if (even.length > 0) this.chunks.push(even);
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
