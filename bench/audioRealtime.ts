/** Real-time capacity probe for bench/audio.ts: how many streams one thread keeps up with. */
import { setTimeout as sleep } from 'node:timers/promises';
import { selfCpuUs } from './audioWork.ts';

const TICK_MS = 20;
const TICKS_PER_PROBE = 50;

/** One stream's work for one 20 ms frame, and how to free it. */
export interface Stream {
  step(): void;
  close(): void;
}

/**
 * How a tick is judged late.
 *
 * @remarks
 * `wall`: ticks start every 20 ms of wall time and must finish before the next one is due; what
 * this machine gives, other processes included. `cpu`: ticks run back to back and the thread's CPU
 * time per tick (GC included) must stay under 20 ms; what a dedicated core would give.
 */
export type TickClock = 'wall' | 'cpu';

/** Runs n streams for 1 s of ticks; returns the worst tick in ms (stops at the first late one). */
async function worstTickMs(n: number, make: () => Stream, clock: TickClock): Promise<number> {
  const streams = Array.from({ length: n }, make);
  let worst = 0;
  try {
    const t0 = performance.now() + TICK_MS;
    for (let k = 0; k < TICKS_PER_PROBE && worst <= TICK_MS; k++) {
      const due = t0 + TICK_MS * k;
      const wait = due - performance.now();
      if (clock === 'wall' && wait > 0) await sleep(wait);
      const cpu0 = selfCpuUs();
      for (const stream of streams) stream.step();
      const tick = clock === 'wall' ? performance.now() - due : (selfCpuUs() - cpu0) / 1000;
      worst = Math.max(worst, tick);
    }
    return worst;
  } finally {
    for (const stream of streams) stream.close();
  }
}

/**
 * Largest n with no late tick, per stream kind: starts at 105 % of the CPU-cost estimate and steps
 * down 2 % at a time (in proportion when a tick overran by more than half), probing the kinds
 * alternately so background load hits them alike.
 *
 * @remarks
 * A probe passes if one of three attempts has no late tick (another process can steal one).
 * Unlike bisection, a descending scan cannot lose half the range to one hiccup.
 */
export async function streamsPerCore(
  kinds: ReadonlyArray<{ make: () => Stream; estimate: number }>,
  clock: TickClock,
): Promise<number[]> {
  const n = kinds.map((k) => Math.ceil(k.estimate * 1.05));
  const done = kinds.map(() => false);
  while (done.includes(false)) {
    for (const [i, kind] of kinds.entries()) {
      const size = n[i] ?? 1;
      if (done[i] === true) continue;
      let worst = Infinity;
      for (let attempt = 0; attempt < 3 && worst > TICK_MS; attempt++) {
        worst = Math.min(worst, await worstTickMs(size, kind.make, clock));
      }
      if (worst <= TICK_MS || size <= 1) done[i] = true;
      else n[i] = Math.max(1, Math.floor(size * (worst > 1.5 * TICK_MS ? TICK_MS / worst : 0.98)));
    }
  }
  return n;
}
