import { describe, expect, it } from 'vitest';
import {
  NAME_REPEAT_WINDOW_MS,
  NameAnnouncer,
  phraseNarration,
  speakableName,
} from '../../src/narration/nameAnnouncer.ts';
import type { Segment } from '../../src/narration/text/characterLines.ts';
import type { Narration } from '../../src/narration/text/narrate.ts';

const author = (text: string): Segment => ({ character: undefined, text });
const as = (character: string, text: string): Segment => ({ character, text });
const narration = (segments: Segment[], attachments?: string): Narration => ({ segments, attachments, cut: false });
const noDictionary = new Map<string, string>();

/** A clock the test moves by hand. */
function fakeClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('NameAnnouncer.shouldAnnounce', () => {
  type Step = [channel: string, author: string, advanceMs: number, speaksAsAuthor: boolean, expected: boolean];
  it.each<[string, Step[]]>([
    ['names the first message', [['c1', 'alice', 0, true, true]]],
    [
      'skips a quick second message',
      [
        ['c1', 'alice', 0, true, true],
        ['c1', 'alice', 5_000, true, false],
      ],
    ],
    [
      'keeps skipping while the run continues (window slides)',
      [
        ['c1', 'alice', 0, true, true],
        ['c1', 'alice', 25_000, true, false],
        ['c1', 'alice', 25_000, true, false],
      ],
    ],
    [
      'names again after the window',
      [
        ['c1', 'alice', 0, true, true],
        ['c1', 'alice', NAME_REPEAT_WINDOW_MS + 1, true, true],
      ],
    ],
    [
      'skips at exactly the window',
      [
        ['c1', 'alice', 0, true, true],
        ['c1', 'alice', NAME_REPEAT_WINDOW_MS, true, false],
      ],
    ],
    [
      'names again after someone else spoke',
      [
        ['c1', 'alice', 0, true, true],
        ['c1', 'bob', 1, true, true],
        ['c1', 'alice', 1, true, true],
      ],
    ],
    [
      'keeps channels apart',
      [
        ['c1', 'alice', 0, true, true],
        ['c2', 'alice', 1, true, true],
        ['c1', 'alice', 1, true, false],
      ],
    ],
    [
      'does not name a characters-only message, and names the author when they next speak',
      [
        ['c1', 'alice', 0, false, false],
        ['c1', 'alice', 1_000, true, true],
        ['c1', 'alice', 1_000, true, false],
      ],
    ],
    [
      'a characters-only message by someone else breaks the run',
      [
        ['c1', 'alice', 0, true, true],
        ['c1', 'bob', 1_000, false, false],
        ['c1', 'alice', 1_000, true, true],
      ],
    ],
  ])('%s', (_, steps) => {
    const clock = fakeClock();
    const announcer = new NameAnnouncer({ now: clock.now });
    const results = steps.map(([channel, id, advance, speaks]) => {
      clock.advance(advance);
      return announcer.shouldAnnounce(channel, id, speaks);
    });
    expect(results).toEqual(steps.map((step) => step[4]));
  });

  it('takes a configurable window', () => {
    const clock = fakeClock();
    const announcer = new NameAnnouncer({ now: clock.now, windowMs: 1_000 });
    expect(announcer.shouldAnnounce('c', 'a', true)).toBe(true);
    clock.advance(1_001);
    expect(announcer.shouldAnnounce('c', 'a', true)).toBe(true);
  });

  it('sweeps stale channels once many are remembered, and still answers right', () => {
    const clock = fakeClock();
    const announcer = new NameAnnouncer({ now: clock.now });
    for (let i = 0; i < 1_500; i++) announcer.shouldAnnounce(`c${i}`, 'a', true);
    clock.advance(NAME_REPEAT_WINDOW_MS + 1);
    expect(announcer.shouldAnnounce('fresh', 'a', true)).toBe(true);
    expect(announcer.shouldAnnounce('fresh', 'a', true)).toBe(false);
    expect(announcer.shouldAnnounce('c0', 'a', true)).toBe(true);
  });
});

describe('phraseNarration', () => {
  it.each<[string, Narration, string | undefined, Segment[]]>([
    ['names the author', narration([author('hi')]), 'Alice', [author('Alice said: hi')]],
    ['leaves the text alone without a name', narration([author('hi')]), undefined, [author('hi')]],
    ['never names a character', narration([as('Captain', 'Ahoy')]), 'Alice', [as('Captain', 'Ahoy')]],
    [
      "names the author's first segment only",
      narration([as('Captain', 'Ahoy'), author('I wave'), as('Bob', 'hey'), author('bye')]),
      'Alice',
      [as('Captain', 'Ahoy'), author('Alice said: I wave'), as('Bob', 'hey'), author('bye')],
    ],
    ['attachments only', narration([], 'sent an image'), 'Alice', [author('Alice sent an image')]],
    ['attachments only, no name', narration([], 'sent an image'), undefined, [author('sent an image')]],
    [
      'text and attachments',
      narration([author('look')], 'sent an image'),
      'Alice',
      [author('Alice said: look. Sent an image')],
    ],
    [
      'attachments after a character line',
      narration([as('Captain', 'Ahoy')], 'sent a file'),
      'Alice',
      [as('Captain', 'Ahoy'), author('Alice sent a file')],
    ],
    [
      'attachments after a character line, author already named',
      narration([author('hi'), as('Captain', 'Ahoy')], 'sent a file'),
      'Alice',
      [author('Alice said: hi'), as('Captain', 'Ahoy'), author('sent a file')],
    ],
  ])('%s', (_, input, name, expected) => {
    expect(phraseNarration(input, name)).toEqual(expected);
    expect(input.segments.some((s) => s.text.includes('said'))).toBe(false);
  });
});

describe('speakableName', () => {
  it.each([
    ['Alice', 'Alice'],
    ['🌸🌸', 'someone'],
    ['xX_sniper_Xx', 'xX sniper Xx'],
    ['Zzzzzzzzz', 'Zzz'],
  ])('speakableName(%j) = %j', (name, expected) => {
    expect(speakableName(name, noDictionary)).toBe(expected);
  });
});
