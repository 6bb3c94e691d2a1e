import { describe, expect, it } from 'vitest';
import { attachmentKind, describeAttachments } from '../../../src/narration/text/attachments.ts';
import { cutToLength, joinLines, MORE_SUFFIX } from '../../../src/narration/text/spacing.ts';
import { relativeTime } from '../../../src/narration/text/timestamps.ts';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

describe('attachmentKind', () => {
  it.each([
    [{ name: 'a.png' }, 'image'],
    [{ name: 'noext', contentType: 'image/gif' }, 'image'],
    [{ name: 'a.txt', contentType: 'video/mp4' }, 'video'],
    [{ name: 'CLIP.MOV' }, 'video'],
    [{ name: 'song.opus' }, 'audio'],
    [{ name: 'voice-message.ogg', contentType: 'audio/ogg' }, 'voice'],
    [{ name: 'doc.pdf', contentType: 'application/pdf' }, 'file'],
    [{ name: 'archive.tar.gz' }, 'file'],
    [{ name: '.png' }, 'image'],
    [{ name: '' }, 'file'],
  ] as const)('%j is %s', (attachment, kind) => {
    expect(attachmentKind(attachment)).toBe(kind);
  });

  it('says nothing for nothing', () => {
    expect(describeAttachments([], [])).toBeUndefined();
  });

  it('lists every kind in a fixed order', () => {
    const all = [{ name: 'f.bin' }, { name: 'v.mp4' }, { name: 'i.png' }, { name: 'a.mp3' }, { name: 'i2.jpg' }];
    expect(describeAttachments(all, ['s'])).toBe('sent 2 images, a video, an audio file, a file and a sticker');
  });
});

describe('cutToLength', () => {
  it.each([
    ['short', 20, 'short', false],
    ['one two three four five six', 20, 'one two, and more', true],
    ['one two three. four five six seven', 25, 'one two three, and more', true],
    ['abcdefghijklmnopqrstuvwxyz', 20, 'abcdefghij, and more', true],
    ['one two three', 5, 'and more', true],
  ])('%j at %d', (text, max, expected, cut) => {
    expect(cutToLength(text, max)).toEqual({ text: expected, cut });
  });

  it.each([20, 37, 100, 299])('never exceeds maxChars=%d', (max) => {
    const text = 'lorem ipsum dolor sit amet '.repeat(50);
    const { text: out } = cutToLength(text, max);
    expect(out.length).toBeLessThanOrEqual(max);
    expect(out.endsWith(MORE_SUFFIX)).toBe(true);
  });
});

describe('joinLines', () => {
  it.each([
    ['a\nb', 'a, b'],
    ['a.\nb', 'a. b'],
    ['a\n\n\nb', 'a, b'],
    ['  a  \n  b  ', 'a, b'],
    ['こんにちは。\n元気', 'こんにちは。 元気'],
    [', leading comma', 'leading comma'],
    ['word .', 'word.'],
  ])('%j → %j', (text, expected) => {
    expect(joinLines(text)).toBe(expected);
  });
});

describe('relativeTime', () => {
  it.each([
    [0, 'now'],
    [30_000, 'in 30 seconds'],
    [-5 * MINUTE_MS, '5 minutes ago'],
    [90 * MINUTE_MS, 'in 2 hours'],
    [DAY_MS, 'tomorrow'],
    [-DAY_MS, 'yesterday'],
    [14 * DAY_MS, 'in 2 weeks'],
    [-60 * DAY_MS, '2 months ago'],
    [3 * 365 * DAY_MS, 'in 3 years'],
    [Number.NaN, 'a time'],
  ])('%d ms → %j', (offset, expected) => {
    expect(relativeTime(offset)).toBe(expected);
  });
});
