import { describe, expect, it } from 'vitest';
import { MemberRate, memberShare, rateRefusal, withinShare } from '../../src/playback/memberShare.ts';
import type { Utterance } from '../../src/playback/utterance.ts';

const by = (requestedBy: string): Utterance => ({ requestedBy }) as Utterance;

describe('MemberRate', () => {
  it('grants a member characters up to the minute’s allowance, each member and guild on their own', async () => {
    const rate = new MemberRate(1_000);
    expect(await rate.take('g1', 'alice', 600)).toEqual({ granted: true });
    const refused = await rate.take('g1', 'alice', 600);
    expect(refused).toMatchObject({ granted: false, perMinute: 1_000 });
    if (refused.granted) throw new Error('granted');
    expect(refused.retryInMs).toBeGreaterThan(50_000);
    expect(rateRefusal(refused)).toMatch(/used your 1000 characters for this minute; try again in \d+ s/);
    expect(await rate.take('g1', 'alice', 400)).toEqual({ granted: true }); // the refused 600 took nothing
    expect(await rate.take('g1', 'alice', 1)).toMatchObject({ granted: false });
    expect(await rate.take('g1', 'bob', 1_000)).toEqual({ granted: true });
    expect(await rate.take('g2', 'alice', 1_000)).toEqual({ granted: true });
  });
});

describe('withinShare', () => {
  it('lets a member hold at most half the queue', () => {
    expect(memberShare(20)).toBe(10);
    expect(memberShare(1)).toBe(1);
    const pending = [...Array.from({ length: 9 }, () => by('alice')), by('bob')];
    expect(withinShare(pending, 'alice', 1, 20)).toBe(true);
    expect(withinShare([...pending, by('alice')], 'alice', 1, 20)).toBe(false);
    expect(withinShare(pending, 'alice', 2, 20)).toBe(false);
    expect(withinShare(pending, 'bob', 9, 20)).toBe(true);
  });
});
