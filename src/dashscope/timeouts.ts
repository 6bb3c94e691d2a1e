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

/**
 * One re-armable timer, for phase timeouts, that only fires when the socket it watches has been silent.
 * @remarks When our own event loop was blocked, Node runs due timers before it reads the sockets: the audio
 * that arrived meanwhile is still unread and the peer looks silent. So an expired timer first lets one poll
 * turn read what is pending (`setImmediate` runs after the poll phase); any progress there re-arms the watchdog
 * (the owner calls `arm` on every audio delta), which cancels the stale fire. A stalled upstream is thus
 * judged by what the socket delivered, not by how late our timer ran.
 */
export class Watchdog {
  #timer: NodeJS.Timeout | undefined;
  #check: NodeJS.Immediate | undefined;
  #generation = 0;

  /** Calls `onFire` after `ms` unless re-armed or cleared first (including during the poll turn it waits). */
  arm(ms: number, onFire: () => void): void {
    this.clear();
    const generation = this.#generation;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#check = setImmediate(() => {
        this.#check = undefined;
        if (generation === this.#generation) onFire();
      });
    }, ms);
  }

  clear(): void {
    this.#generation += 1;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#check !== undefined) clearImmediate(this.#check);
    this.#timer = undefined;
    this.#check = undefined;
  }
}
