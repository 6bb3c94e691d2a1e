import { describe, expect, it } from 'vitest';
import { FloodNotices, skippedText } from '../../src/narration/floodNotice.ts';
import { enqueueAll, hasRoom, removeMessage, replaceMessage } from '../../src/narration/narrationQueue.ts';
import { FakePlayer, utterance } from './fakePlayer.ts';

/** A player speaking `m0` with messages `m1…` waiting, one utterance each (two for `m2`). */
function busyPlayer(): FakePlayer {
  const player = new FakePlayer();
  for (const [text, id] of [
    ['zero', 'm0'],
    ['one', 'm1'],
    ['two a', 'm2'],
    ['two b', 'm2'],
    ['three', 'm3'],
  ] as const)
    player.enqueue(utterance(text, id));
  return player;
}

describe('hasRoom and enqueueAll', () => {
  it('keeps the last place of the queue for the skip notice', () => {
    const player = new FakePlayer('v', 3);
    for (const text of ['a', 'b']) player.enqueue(utterance(text)); // one speaking, one waiting
    expect(hasRoom(player, 1, 3)).toBe(true);
    expect(hasRoom(player, 2, 3)).toBe(false);
    player.enqueue(utterance('c')); // two waiting: the third place is the notice's
    expect(hasRoom(player, 1, 3)).toBe(false);
  });

  it('queues a message whole or not at all', () => {
    const player = new FakePlayer('v', 2);
    player.enqueue(utterance('speaking'));
    player.enqueue(utterance('waiting'));
    expect(enqueueAll(player, [utterance('x1', 'x'), utterance('x2', 'x')])).toBe(false);
    expect(player.texts).toEqual(['speaking', 'waiting']);
    expect(enqueueAll(player, [utterance('y1', 'y')])).toBe(true);
    expect(player.texts).toEqual(['speaking', 'waiting', 'y1']);
  });
});

describe('replaceMessage', () => {
  it('swaps a waiting message for its edit in the same place', () => {
    const player = busyPlayer();
    expect(replaceMessage(player, 'm2', [utterance('two edited', 'm2')])).toBe('replaced');
    expect(player.texts).toEqual(['zero', 'one', 'two edited', 'three']);
  });

  it('can grow a message', () => {
    const player = busyPlayer();
    expect(replaceMessage(player, 'm1', [utterance('one a', 'm1'), utterance('one b', 'm1')])).toBe('replaced');
    expect(player.texts).toEqual(['zero', 'one a', 'one b', 'two a', 'two b', 'three']);
  });

  it('leaves a message alone once it is being spoken, and reports one it does not hold', () => {
    const player = busyPlayer();
    expect(replaceMessage(player, 'm0', [utterance('zero edited', 'm0')])).toBe('started');
    expect(replaceMessage(player, 'm9', [utterance('nine', 'm9')])).toBe('absent');
    expect(player.texts).toEqual(['zero', 'one', 'two a', 'two b', 'three']);
  });

  it('drops a message edited to nothing', () => {
    const player = busyPlayer();
    expect(replaceMessage(player, 'm2', [])).toBe('replaced');
    expect(player.texts).toEqual(['zero', 'one', 'three']);
  });
});

describe('removeMessage', () => {
  it('drops every waiting utterance of a deleted message', () => {
    const player = busyPlayer();
    expect(removeMessage(player, 'm2')).toBe(2);
    expect(player.texts).toEqual(['zero', 'one', 'three']);
  });

  it('cuts off a deleted message that is being spoken', () => {
    const player = busyPlayer();
    expect(removeMessage(player, 'm0')).toBe(1);
    expect(player.texts).toEqual(['one', 'two a', 'two b', 'three']);
  });
});

describe('FloodNotices', () => {
  it('keeps one notice at the end of the queue, its count growing with each skipped message', () => {
    const player = new FakePlayer('v', 3);
    for (const text of ['a', 'b', 'c']) player.enqueue(utterance(text));
    const flood = new FloodNotices();
    expect(flood.skipped(player, 'g1', (text) => utterance(text))).toBe(1);
    expect(flood.skipped(player, 'g1', (text) => utterance(text))).toBe(2);
    expect(flood.skipped(player, 'g1', (text) => utterance(text))).toBe(3);
    expect(player.texts).toEqual(['a', 'b', 'c', '3 messages skipped']);
  });

  it('starts a new count once the notice has been said', () => {
    const player = new FakePlayer('v', 3);
    player.enqueue(utterance('a'));
    const flood = new FloodNotices();
    flood.skipped(player, 'g1', (text) => utterance(text));
    player.finish(); // "1 message skipped" is now being said
    expect(player.texts).toEqual(['1 message skipped']);
    expect(flood.skipped(player, 'g1', (text) => utterance(text))).toBe(1);
    expect(player.texts).toEqual(['1 message skipped', '1 message skipped']);
  });

  it('keeps counting when the notice itself found no room (the queue was filled by /say)', () => {
    const player = new FakePlayer('v', 1);
    player.enqueue(utterance('speaking'));
    player.enqueue(utterance('a /say waiting'));
    const flood = new FloodNotices();
    expect(flood.skipped(player, 'g1', (text) => utterance(text))).toBe(1);
    expect(player.texts).toEqual(['speaking', 'a /say waiting']);
    player.finish();
    expect(flood.skipped(player, 'g1', (text) => utterance(text))).toBe(2);
    expect(player.texts).toEqual(['a /say waiting', '2 messages skipped']);
  });

  it('says one message in the singular', () => {
    expect([skippedText(1), skippedText(12)]).toEqual(['1 message skipped', '12 messages skipped']);
  });
});
