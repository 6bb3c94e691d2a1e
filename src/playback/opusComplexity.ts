import { ECONOMY_COMPLEXITY, FULL_COMPLEXITY } from '../audio/opus.ts';

/** `OPUS_COMPLEXITY`: one libopus complexity (0–10) for every stream, or `auto`: {@link OpusComplexityGovernor}. */
export type OpusComplexitySetting = number | 'auto';

/** Late frames in one second that count as a late second (one late turn of a busy thread makes dozens). */
export const LATE_SECOND_FRAMES = 3;
/** Late seconds in a row that mean the thread is short of CPU, not hit by one stall. */
export const LATE_SECONDS_TO_STEP_DOWN = 2;
/** Share of the learned capacity from which the thread encodes at economy (economy carries ~1.2× as many). */
export const ECONOMY_FROM_SHARE = 0.75;
/**
 * Seconds on time at full complexity after which the learned capacity is forgotten (it may have been learned while
 * something else took the CPU).
 */
export const FORGET_AFTER_S = 600;

/** One second of a voice thread: the frames its cycle took, how many late, and the streams it plays now. */
export interface ThreadSecond {
  frames: number;
  lateFrames: number;
  streams: number;
}

/**
 * Picks the Opus complexity of a voice thread's streams: full quality until the thread falls behind, then
 * {@link ECONOMY_COMPLEXITY} (a quarter less encoding CPU for −0.4 dB) whenever it plays as many streams as it fell
 * behind with, so a burst degrades the sound imperceptibly instead of breaking it up.
 * @remarks The thread learns its capacity: the streams it played at full complexity when it was late for
 * {@link LATE_SECONDS_TO_STEP_DOWN} seconds in a row (a single late second is a stall — a GC, a neighbour — not
 * load). From {@link ECONOMY_FROM_SHARE} of that on it encodes at economy, so the next burst of that size starts
 * there instead of being late first; below it, at full quality again. A capacity learned while the machine was busy
 * with something else would hold quality down for good, so it is forgotten after {@link FORGET_AFTER_S} seconds on
 * time at full complexity; seconds at economy do not count, so a thread that stays busy does not fall behind again
 * every ten minutes to relearn what it knew. With a fixed setting (`OPUS_COMPLEXITY` 0–10) it never changes.
 */
export class OpusComplexityGovernor {
  readonly #fixed: number | undefined;
  /** Streams played at full complexity when the thread last fell behind; unknown until it does. */
  #capacity = Number.POSITIVE_INFINITY;
  #lateStreak = 0;
  #quietSeconds = 0;
  #streams = 0;

  constructor(setting: OpusComplexitySetting) {
    if (setting !== 'auto' && !(Number.isInteger(setting) && setting >= 0 && setting <= 10))
      throw new RangeError(`Opus complexity must be auto or a whole number from 0 to 10, got ${setting}`);
    this.#fixed = setting === 'auto' ? undefined : setting;
  }

  /** The complexity for the thread's streams now (a new stream starts at it). */
  get complexity(): number {
    if (this.#fixed !== undefined) return this.#fixed;
    return this.#streams >= Math.ceil(ECONOMY_FROM_SHARE * this.#capacity) ? ECONOMY_COMPLEXITY : FULL_COMPLEXITY;
  }

  /** Streams the thread played at full complexity when it last fell behind; `Infinity` while unknown or forgotten. */
  get capacity(): number {
    return this.#capacity;
  }

  /** The streams the thread plays changed (one started or ended). */
  playing(streams: number): void {
    this.#streams = streams;
  }

  /** Takes one second of the thread's timing; the complexity may change. */
  second({ frames, lateFrames, streams }: ThreadSecond): void {
    const wasFull = this.complexity === FULL_COMPLEXITY;
    this.#streams = streams;
    if (lateFrames < LATE_SECOND_FRAMES || frames === 0) {
      this.#lateStreak = 0;
      if (wasFull) this.#quietSeconds += 1;
      if (this.#quietSeconds >= FORGET_AFTER_S) this.#capacity = Number.POSITIVE_INFINITY;
      return;
    }
    this.#quietSeconds = 0;
    this.#lateStreak += 1;
    if (this.#lateStreak >= LATE_SECONDS_TO_STEP_DOWN && wasFull && streams > 0)
      this.#capacity = Math.min(this.#capacity, streams);
  }
}
