import { FRAME_MS } from '../audio/formats.ts';

/** One stream's part in the cycle: send what it prepared, then prepare the next packet. */
export interface CycleStream {
  /** Sends the packet prepared at the turn before, if any. */
  dispatch(): void;
  /** Prepares the next packet (encoded, encrypted); `false` when the stream is over and leaves the cycle. */
  prepare(): boolean;
}

/**
 * A voice thread's 20 ms audio cycle: each turn sends every stream's prepared packet, then prepares each stream's
 * next one, so the sends of a turn go out together and on time while the encoding happens between turns.
 * @remarks Written here in place of @discordjs/voice's `AudioPlayer` (one per connection, all on one global cycle),
 * which prepares each player in its own `setImmediate` turn — an event-loop iteration and its `epoll_wait` per
 * stream per 20 ms — and reads packets through an object-mode `Readable`; at 50 streams a thread that machinery cost
 * more CPU than the DAVE and transport encryption together. The grid is kept like the library's: a turn is due
 * 20 ms after the one before, and turns that fall behind run back to back (1 ms apart) until they catch up.
 */
export class VoiceCycle {
  readonly #streams = new Set<CycleStream>();
  /** When the next turn is due (`performance.now()`); the cycle turns while it has streams. */
  #due = 0;

  /** Streams in the cycle. */
  get size(): number {
    return this.#streams.size;
  }

  /**
   * Adds a stream: its first packet goes out at once, its second at the next turn.
   * @remarks Sent at once, the first packet waits for no turn (up to 20 ms); the second may follow it closely,
   * early for the listener's jitter buffer, never late.
   */
  add(stream: CycleStream): void {
    if (!stream.prepare()) return;
    stream.dispatch();
    if (!stream.prepare()) return;
    this.#streams.add(stream);
    if (this.#streams.size > 1) return; // already turning
    this.#due = performance.now() + FRAME_MS;
    setTimeout(this.#turn, FRAME_MS);
  }

  readonly #turn = (): void => {
    this.#due += FRAME_MS; // when the next turn is due
    for (const stream of this.#streams) stream.dispatch();
    for (const stream of this.#streams) if (!stream.prepare()) this.#streams.delete(stream);
    if (this.#streams.size === 0) return;
    setTimeout(this.#turn, Math.max(1, this.#due - performance.now()));
  };
}
