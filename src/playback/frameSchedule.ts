import { FRAME_MS } from '../audio/formats.ts';

/** How far behind its 20 ms schedule a frame may go out before it counts as late, ms (the listener's bound too). */
export const LATE_FRAME_MS = 40;

/**
 * A stream's 20 ms schedule as the voice cycle reads it: each read is due one frame after the one before it, on
 * the grid of the earliest read. {@link FrameSchedule.read} says how far behind that grid a read came.
 * @remarks The cycle keeps a 20 ms grid and catches up after a late turn with turns back to back, so a late turn
 * shows as reads behind the grid while the ones after it are on it again. A stream that was paused (its connection
 * not ready) reads nothing meanwhile: {@link FrameSchedule.restart} starts a new grid when it plays again.
 */
export class FrameSchedule {
  #reads = 0;
  #origin = Number.POSITIVE_INFINITY;

  /** Records a read at `nowMs` (a monotonic clock); returns how far behind the schedule it came, ms. */
  read(nowMs: number): number {
    const phase = nowMs - FRAME_MS * this.#reads++;
    this.#origin = Math.min(this.#origin, phase);
    return phase - this.#origin;
  }

  /** The next read starts a new grid. */
  restart(): void {
    this.#reads = 0;
    this.#origin = Number.POSITIVE_INFINITY;
  }
}
