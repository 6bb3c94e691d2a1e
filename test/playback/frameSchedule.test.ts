import { describe, expect, it } from 'vitest';
import { FrameSchedule } from '../../src/playback/frameSchedule.ts';

const behind = (readsAtMs: readonly number[], schedule = new FrameSchedule()): number[] =>
  readsAtMs.map((at) => schedule.read(at));

describe('FrameSchedule', () => {
  it.each([
    { what: 'reads on the 20 ms grid', at: [100, 120, 140, 160], behind: [0, 0, 0, 0] },
    { what: 'jitter within a frame', at: [100, 123, 139, 165], behind: [0, 3, 0, 6] },
    // A turn 90 ms late, then the cycles that catch up back to back, then the grid again.
    { what: 'a late turn and its catch-up', at: [100, 210, 211, 212, 213, 220], behind: [0, 90, 71, 52, 33, 20] },
    // The first read came late in its cycle: the grid is the earliest phase seen, not the first read.
    { what: 'a late first read', at: [115, 120, 140, 160], behind: [0, 0, 0, 0] },
  ])('$what', ({ at, behind: expected }) => {
    expect(behind(at)).toEqual(expected);
  });

  it('starts a new grid after a restart (a paused player reads nothing meanwhile)', () => {
    const schedule = new FrameSchedule();
    expect(behind([100, 120, 140], schedule)).toEqual([0, 0, 0]);
    schedule.restart();
    expect(behind([5_000, 5_020, 5_090], schedule)).toEqual([0, 0, 50]);
  });
});
