import { describe, expect, it } from 'vitest';
import { ECONOMY_COMPLEXITY, FULL_COMPLEXITY } from '../../src/audio/opus.ts';
import { FORGET_AFTER_S, OpusComplexityGovernor } from '../../src/playback/opusComplexity.ts';

/** `count` seconds of `streams` streams (50 frames each), `late` of their frames late each second. */
function seconds(governor: OpusComplexityGovernor, count: number, streams: number, late = 0): void {
  for (let i = 0; i < count; i++) governor.second({ frames: streams * 50, lateFrames: late, streams });
}

describe('OpusComplexityGovernor', () => {
  it('encodes at full complexity until the thread falls behind', () => {
    const governor = new OpusComplexityGovernor('auto');
    governor.playing(60);
    seconds(governor, 30, 60);
    expect(governor.complexity).toBe(FULL_COMPLEXITY);
    expect(governor.capacity).toBe(Number.POSITIVE_INFINITY);
  });

  it('takes one late second for a stall, not for load', () => {
    const governor = new OpusComplexityGovernor('auto');
    seconds(governor, 1, 40, 40);
    seconds(governor, 1, 40);
    seconds(governor, 1, 40, 40);
    expect(governor.complexity).toBe(FULL_COMPLEXITY);
    seconds(governor, 1, 40, 2); // fewer than three late frames: on time
    expect(governor.complexity).toBe(FULL_COMPLEXITY);
  });

  it('steps down after two late seconds in a row, and learns the streams it fell behind with', () => {
    const governor = new OpusComplexityGovernor('auto');
    seconds(governor, 2, 40, 25);
    expect(governor.capacity).toBe(40);
    expect(governor.complexity).toBe(ECONOMY_COMPLEXITY);
    // Still late at economy: the capacity it learned at full complexity stays.
    seconds(governor, 3, 48, 10);
    expect(governor.capacity).toBe(40);
  });

  it('encodes at full complexity again below three quarters of that, and at economy from there on', () => {
    const governor = new OpusComplexityGovernor('auto');
    seconds(governor, 2, 40, 25);
    governor.playing(29);
    expect(governor.complexity).toBe(FULL_COMPLEXITY);
    governor.playing(30);
    expect(governor.complexity).toBe(ECONOMY_COMPLEXITY);
    // The next burst of that size starts at economy, before anything is late.
    governor.playing(0);
    seconds(governor, 60, 0);
    governor.playing(40);
    expect(governor.complexity).toBe(ECONOMY_COMPLEXITY);
  });

  it('learns a lower capacity when it falls behind at full complexity with fewer streams', () => {
    const governor = new OpusComplexityGovernor('auto');
    seconds(governor, 2, 40, 25);
    seconds(governor, 2, 20, 10);
    expect(governor.capacity).toBe(20);
    governor.playing(14);
    expect(governor.complexity).toBe(FULL_COMPLEXITY);
    governor.playing(15);
    expect(governor.complexity).toBe(ECONOMY_COMPLEXITY);
  });

  it('forgets the capacity after ten minutes on time at full complexity, not counting seconds at economy', () => {
    const governor = new OpusComplexityGovernor('auto');
    seconds(governor, 2, 40, 25);
    seconds(governor, 2 * FORGET_AFTER_S, 40); // busy all along, at economy: nothing to forget
    expect(governor.capacity).toBe(40);
    seconds(governor, FORGET_AFTER_S - 1, 20);
    seconds(governor, 1, 20, 5); // one late second restarts the count
    seconds(governor, FORGET_AFTER_S - 1, 20);
    expect(governor.capacity).toBe(40);
    governor.playing(40);
    expect(governor.complexity).toBe(ECONOMY_COMPLEXITY);
    governor.playing(20);
    seconds(governor, 1, 20);
    expect(governor.capacity).toBe(Number.POSITIVE_INFINITY);
    governor.playing(40);
    expect(governor.complexity).toBe(FULL_COMPLEXITY);
  });

  it('never changes a fixed complexity', () => {
    const governor = new OpusComplexityGovernor(4);
    seconds(governor, 10, 100, 500);
    expect(governor.complexity).toBe(4);
    expect(new OpusComplexityGovernor(10).complexity).toBe(10);
  });

  it('refuses a complexity libopus does not have', () => {
    for (const bad of [-1, 11, 5.5, Number.NaN])
      expect(() => new OpusComplexityGovernor(bad)).toThrow(/auto or a whole number from 0 to 10/);
  });
});
