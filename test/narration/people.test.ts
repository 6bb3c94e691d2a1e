import { describe, expect, it } from 'vitest';
import { NARRATION_IGNORE_MAX_ENTRIES } from '../../commands/limits.ts';
import { type AuthorNames, nameFrom, nameToSay } from '../../src/narration/names.ts';
import {
  checkNameReading,
  checkSkipPrefix,
  parsePeople,
  withIgnored,
  withNameReading,
  withOptOut,
} from '../../src/narration/people.ts';
import { type ChatEvent, route } from '../../src/narration/route.ts';
import { DEFAULT_NARRATION_SETTINGS, type NarrationSettings } from '../../src/narration/settings.ts';
import { narrationStatus } from '../../src/narration/statusText.ts';
import { NO_MENTIONS } from '../../src/narration/text/chatMessage.ts';
import { announcesMember, notReadBecause } from '../../src/narration/whoIsRead.ts';

const TEXT = '400000000000000001';
const DECK = '400000000000000002';
const LOUNGE = '500000000000000001';
const HALL = '500000000000000002';
const ALICE = '600000000000000001';
const BOB = '600000000000000002';
const MUTED = '700000000000000001';

const settings = (over: Partial<NarrationSettings> = {}): NarrationSettings => ({
  ...DEFAULT_NARRATION_SETTINGS,
  bindings: { [TEXT]: LOUNGE },
  ...over,
});
const event = (over: { channelId?: string; content?: string; silent?: boolean; roleIds?: string[] } = {}) =>
  ({
    guildId: 'g1',
    channelId: over.channelId ?? TEXT,
    messageId: 'm1',
    author: { id: ALICE, name: 'alice', kind: 'member', voiceChannelId: LOUNGE, roleIds: over.roleIds ?? [] },
    message: { content: over.content ?? 'hi', mentions: NO_MENTIONS, attachments: [], silent: over.silent },
  }) satisfies ChatEvent;

describe('who is read', () => {
  it.each<[string, Partial<NarrationSettings>, Parameters<typeof event>[0], string | undefined]>([
    ['a member by default', {}, {}, undefined],
    ['not a member who opted out', { optedOut: [ALICE] }, {}, 'opted_out'],
    ['not an ignored member', { ignoredMembers: [ALICE] }, {}, 'ignored_member'],
    ['not a member with an ignored role', { ignoredRoles: [MUTED] }, { roleIds: [MUTED] }, 'ignored_role'],
    ['a member without the ignored role', { ignoredRoles: [MUTED] }, { roleIds: [BOB] }, undefined],
    ['not a message starting with the skip prefix', { skipPrefix: '!' }, { content: '  !note to self' }, 'skip_prefix'],
    ['a message with the prefix elsewhere', { skipPrefix: '!' }, { content: 'hi!' }, undefined],
    ['not an @silent message by default', {}, { silent: true }, 'silent'],
    ['an @silent message with read_silent', { readSilent: true }, { silent: true }, undefined],
  ])('reads %s', (_, over, e, reason) => {
    expect(notReadBecause(settings(over), event(e))).toBe(reason);
  });

  it('checks a proxied copy against the member who wrote the original', () => {
    const proxied: ChatEvent = {
      ...event(),
      author: {
        id: BOB,
        name: 'Captain',
        kind: 'webhook',
        voiceChannelId: null,
        proxyOf: { authorId: ALICE, voiceChannelId: LOUNGE },
      },
    };
    expect(notReadBecause(settings({ optedOut: [ALICE] }), proxied)).toBe('opted_out');
  });

  it('announces only members who are read', () => {
    expect(announcesMember(settings(), ALICE, [])).toBe(true);
    expect(announcesMember(settings({ optedOut: [ALICE] }), ALICE, [])).toBe(false);
    expect(announcesMember(settings({ ignoredRoles: [MUTED] }), ALICE, [MUTED])).toBe(false);
  });
});

describe('the voice channel’s own chat (text_in_voice)', () => {
  it('is read while the bot is in that voice channel', () => {
    expect(route(settings(), event({ channelId: LOUNGE }), LOUNGE)).toEqual({ action: 'read' });
  });
  it('is not read with text_in_voice off, nor another voice channel’s chat, nor when the bot is not in voice', () => {
    expect(route(settings({ textInVoice: false }), event({ channelId: LOUNGE }), LOUNGE).action).toBe('ignore');
    expect(route(settings(), event({ channelId: HALL }), LOUNGE)).toEqual({ action: 'ignore', reason: 'unbound' });
    expect(route(settings({ autoJoin: true }), event({ channelId: LOUNGE }), undefined).action).toBe('ignore');
  });
  it('follows the same rules: opted-out members are not read there either', () => {
    const decision = route(settings({ optedOut: [ALICE] }), event({ channelId: LOUNGE }), LOUNGE);
    expect(decision).toEqual({ action: 'ignore', reason: 'opted_out' });
  });
});

describe('how names are said', () => {
  const names: AuthorNames = { nickname: 'Cap', globalName: 'Alice A.', username: 'alice' };
  it.each([
    ['nickname', names, 'Cap'],
    ['display_name', names, 'Alice A.'],
    ['username', names, 'alice'],
    ['nickname', { ...names, nickname: null }, 'Alice A.'],
    ['nickname', { nickname: null, globalName: null, username: 'alice' }, 'alice'],
    ['display_name', { ...names, globalName: null }, 'alice'],
  ] as const)('%s of %j is %j', (source, given, expected) => {
    expect(nameFrom(given, source)).toBe(expected);
  });

  it('says a member’s reading first, whatever the source; a webhook by its own name', () => {
    const s = { nameSource: 'username' as const, nameReadings: { [ALICE]: 'Kay' } };
    expect(nameToSay(s, ALICE, names, 'alice')).toBe('Kay');
    expect(nameToSay(s, BOB, names, 'bob')).toBe('alice');
    expect(nameToSay(s, BOB, undefined, 'Captain')).toBe('Captain');
  });
});

describe('the people lists', () => {
  const base = settings();
  it('adds, refuses twice, and removes ignored roles and members', () => {
    const once = withIgnored(base, 'role', MUTED, true);
    expect(once.ignoredRoles).toEqual([MUTED]);
    expect(() => withIgnored(once, 'role', MUTED, true)).toThrow(/already not read/);
    expect(() => withIgnored(base, 'member', ALICE, false)).toThrow(/not on the ignore list/);
    expect(withIgnored(once, 'role', MUTED, false).ignoredRoles).toEqual([]);
  });

  it('refuses an ignore list over the limit', () => {
    const full = {
      ...base,
      ignoredMembers: Array.from({ length: NARRATION_IGNORE_MAX_ENTRIES }, (_, i) =>
        String(800000000000000000n + BigInt(i)),
      ),
    };
    expect(() => withIgnored(full, 'role', MUTED, true)).toThrow(/ignore list is full/);
  });

  it('opts out and in, unchanged when already so', () => {
    const out = withOptOut(base, ALICE, true);
    expect(out.optedOut).toEqual([ALICE]);
    expect(withOptOut(out, ALICE, true)).toBe(out);
    expect(withOptOut(out, ALICE, false).optedOut).toEqual([]);
  });

  it('sets and removes name readings', () => {
    const set = withNameReading(base, ALICE, 'Kay');
    expect(set.nameReadings).toEqual({ [ALICE]: 'Kay' });
    expect(withNameReading(set, ALICE, undefined).nameReadings).toEqual({});
  });

  it.each([
    ['  Kay  ', 'Kay'],
    ['Ka  y', 'Ka y'],
  ])('tidies the reading %j to %j', (given, expected) => {
    expect(checkNameReading(given)).toBe(expected);
  });

  it.each([
    ['', /cannot be empty/],
    ['a\nb', /one line/],
    ['x'.repeat(33), /at most 32 characters; that one has 33/],
  ])('refuses the reading %j', (given, message) => {
    expect(() => checkNameReading(given)).toThrow(message);
  });

  it('turns the skip prefix off with “none”', () => {
    expect(checkSkipPrefix('None')).toBeNull();
    expect(checkSkipPrefix(' ! ')).toBe('!');
  });

  it('keeps only well-formed stored entries', () => {
    const parsed = parsePeople({
      ignoredRoles: [MUTED, 'junk', 42],
      ignoredMembers: 'nope',
      optedOut: [ALICE],
      nameReadings: { [ALICE]: 'Kay', [BOB]: 'two\nlines', junk: 'x' },
    });
    expect(parsed).toEqual({
      ignoredRoles: [MUTED],
      ignoredMembers: [],
      optedOut: [ALICE],
      nameReadings: { [ALICE]: 'Kay' },
    });
  });
});

describe('the voice channel status', () => {
  const names: Record<string, string> = { [TEXT]: 'general', [DECK]: 'deck', [HALL]: '**Big** <@1> hall' };
  const nameOf = (id: string) => names[id];
  it.each<[Record<string, string | null>, string | null]>([
    [{}, null],
    [{ [TEXT]: HALL }, null],
    [{ [TEXT]: LOUNGE }, 'Reading #general'],
    [{ [TEXT]: LOUNGE, [DECK]: null }, 'Reading #general and #deck'],
    [{ [TEXT]: LOUNGE, [DECK]: null, [HALL]: LOUNGE }, 'Reading #general, #deck and 1 more'],
    [{ [HALL]: LOUNGE }, 'Reading #Big 1 hall'],
  ])('for bindings %j is %j', (bindings, expected) => {
    expect(narrationStatus({ bindings }, LOUNGE, nameOf)).toBe(expected);
  });
});
