/** Per-phase timeouts of a synthesis request, and the re-armable timer that enforces them. */

/** Per-phase timeouts, ms. */
export interface TtsTimeouts {
  /** Socket open, handshake and session set-up (or HTTP response headers). */
  connectMs: number;
  /** From sending the text to the first audio. */
  firstAudioMs: number;
  /** Longest gap between audio chunks once audio flows. */
  idleMs: number;
}

/** Timeouts used when the caller gives none. @remarks First packets take ~0.5–0.7 s live (spec §1.8). */
export const DEFAULT_TTS_TIMEOUTS: Readonly<TtsTimeouts> = Object.freeze({
  connectMs: 10_000,
  firstAudioMs: 10_000,
  idleMs: 5_000,
});

/** One re-armable timer, for phase timeouts. */
export class Watchdog {
  #timer: NodeJS.Timeout | undefined;

  /** Calls `onFire` after `ms` unless re-armed or cleared first. */
  arm(ms: number, onFire: () => void): void {
    this.clear();
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      onFire();
    }, ms);
  }

  clear(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
