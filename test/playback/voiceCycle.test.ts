import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CycleStream, VoiceCycle } from '../../src/playback/voiceCycle.ts';

/** A stream that logs each call with the fake clock's time and plays `packets` packets. */
function stream(name: string, log: string[], packets: number, onPrepare?: (left: number) => void): CycleStream {
  let left = packets;
  return {
    dispatch: () => log.push(`${performance.now()} ${name} sends`),
    prepare: () => {
      onPrepare?.(left);
      if (left === 0) return false;
      left -= 1;
      log.push(`${performance.now()} ${name} prepares`);
      return true;
    },
  };
}

describe('VoiceCycle', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends a new stream’s first packet at once, its second next turn; each turn sends all, then prepares', () => {
    const log: string[] = [];
    const cycle = new VoiceCycle();
    cycle.add(stream('a', log, 3));
    vi.advanceTimersByTime(5);
    cycle.add(stream('b', log, 3));
    vi.advanceTimersByTime(100);
    expect(log).toEqual([
      '0 a prepares',
      '0 a sends',
      '0 a prepares',
      '5 b prepares',
      '5 b sends',
      '5 b prepares',
      '20 a sends',
      '20 b sends',
      '20 a prepares',
      '20 b prepares',
      '40 a sends',
      '40 b sends',
    ]);
  });

  it('stops turning when its last stream leaves, and starts again with the next', () => {
    const log: string[] = [];
    const cycle = new VoiceCycle();
    cycle.add(stream('a', log, 2));
    vi.advanceTimersByTime(60);
    expect(cycle.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    cycle.add(stream('b', log, 2));
    vi.advanceTimersByTime(60);
    expect(log).toEqual([
      '0 a prepares',
      '0 a sends',
      '0 a prepares',
      '20 a sends',
      '60 b prepares',
      '60 b sends',
      '60 b prepares',
      '80 b sends',
    ]);
  });

  it('sends a one-packet stream at once and never turns for it; a stream with nothing is not added', () => {
    const log: string[] = [];
    const cycle = new VoiceCycle();
    cycle.add(stream('a', log, 1));
    cycle.add(stream('b', log, 0));
    expect(log).toEqual(['0 a prepares', '0 a sends']);
    expect(cycle.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps the 20 ms grid: after a turn that ran 50 ms long, the turns it owes follow back to back', () => {
    const log: string[] = [];
    const cycle = new VoiceCycle();
    // The turn at 20 ms prepares for 50 ms (the stream's third packet is slow to encode): the turns due at 40 and
    // 60 run 1 ms apart once it is done, and the one due at 80 is on the grid again.
    cycle.add(stream('a', log, 8, (left) => left === 6 && vi.advanceTimersByTime(50)));
    vi.advanceTimersByTime(200);
    const sends = log.filter((line) => line.endsWith('sends')).map((line) => Number.parseInt(line, 10));
    expect(sends).toEqual([0, 20, 71, 72, 80, 100, 120, 140]);
  });
});
