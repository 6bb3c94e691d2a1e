import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NARRATION_MAX_BINDINGS } from '../../commands/limits.ts';
import { withIgnored, withNameReading, withOptOut } from '../../src/narration/people.ts';
import {
  DEFAULT_NARRATION_SETTINGS,
  describeSettings,
  type NarrationPatch,
  NarrationSettingsStore,
  parseSettings,
} from '../../src/narration/settings.ts';
import { openStore, type Store } from '../../src/voices/store.ts';

const reason = (r: string) => expect.objectContaining({ name: 'UserError', reason: r });
const TEXT = '100000000000000001';
const TEXT2 = '100000000000000002';
const VOICE = '200000000000000001';
const channelId = (i: number) => String(300000000000000000n + BigInt(i));

describe('NarrationSettingsStore (memory)', () => {
  let store: Store;
  let settings: NarrationSettingsStore;
  beforeEach(async () => {
    store = await openStore('memory://');
    settings = new NarrationSettingsStore(store.keyv);
  });
  afterEach(() => store.close());

  it('starts from the defaults', async () => {
    expect(await settings.get('g1')).toEqual({
      bindings: {},
      readNames: true,
      maxChars: 300,
      readBots: false,
      autoJoin: false,
      characterLines: true,
      requireVoice: true,
      textInVoice: true,
      nameSource: 'nickname',
      skipPrefix: null,
      readSilent: false,
      announceJoins: false,
      ignoredRoles: [],
      ignoredMembers: [],
      optedOut: [],
      nameReadings: {},
      speed: null,
    });
  });

  it('binds, rebinds and unbinds channels, per guild', async () => {
    await settings.bind('g1', TEXT, VOICE);
    await settings.bind('g1', TEXT2, null);
    expect((await settings.bind('g1', TEXT, null)).bindings).toEqual({ [TEXT]: null, [TEXT2]: null });
    expect((await settings.unbind('g1', TEXT)).bindings).toEqual({ [TEXT2]: null });
    expect((await settings.get('g2')).bindings).toEqual({});
  });

  it('refuses to unbind a channel that is not bound', async () => {
    await expect(settings.unbind('g1', TEXT)).rejects.toThrow(reason('not_found'));
  });

  it(`binds at most ${NARRATION_MAX_BINDINGS} channels, but rebinding one at the limit works`, async () => {
    for (let i = 0; i < NARRATION_MAX_BINDINGS; i++) await settings.bind('g1', channelId(i), null);
    await expect(settings.bind('g1', channelId(NARRATION_MAX_BINDINGS), null)).rejects.toThrow(reason('quota_full'));
    await expect(settings.bind('g1', channelId(0), VOICE)).resolves.toBeDefined();
    expect(Object.keys((await settings.get('g1')).bindings)).toHaveLength(NARRATION_MAX_BINDINGS);
  });

  it.each([
    ['not-an-id', VOICE, /"not-an-id" is not a text channel id/],
    [TEXT, '123', /"123" is not a voice channel id/],
    ['', null, /is not a text channel id/],
  ])('refuses to bind %j → %j', async (text, voice, message) => {
    await expect(settings.bind('g1', text, voice)).rejects.toThrow(reason('invalid_input'));
    await expect(settings.bind('g1', text, voice)).rejects.toThrow(message);
    expect(await settings.get('g1')).toEqual(DEFAULT_NARRATION_SETTINGS);
  });

  it.each<NarrationPatch>([
    { maxChars: 20 },
    { maxChars: 1000 },
    { readNames: false, readBots: true },
    { autoJoin: true, characterLines: false },
    { textInVoice: false, readSilent: true, announceJoins: true },
    { nameSource: 'display_name', skipPrefix: '//' },
    { skipPrefix: null },
    { speed: 1.25 },
    { speed: null },
    {},
  ])('applies %j', async (patch) => {
    const updated = await settings.update('g1', patch);
    expect(updated).toEqual({ ...DEFAULT_NARRATION_SETTINGS, ...patch });
    expect(await settings.get('g1')).toEqual(updated);
  });

  it.each<[unknown, RegExp]>([
    [{ maxChars: 19 }, /Max length must be a whole number of characters from 20 to 1000 \(got 19\)/],
    [{ maxChars: 1001 }, /from 20 to 1000 \(got 1001\)/],
    [{ maxChars: 50.5 }, /got 50.5/],
    [{ maxChars: '300' }, /got 300/],
    [{ maxChars: Number.NaN }, /got NaN/],
    [{ readNames: 'yes' }, /Read names must be on or off/],
    [{ speed: 2.5 }, /Speed must be a number from 0.5 to 2 \(got 2.5\)\. Nothing was changed\./],
    [{ speed: '1.5' }, /Speed must be a number from 0.5 to 2/],
    [{ autoJoin: 1 }, /Auto-join must be on or off/],
    [{ readBots: true, maxChars: 5 }, /Max length/],
    [{ volume: 3 }, /There is no narration setting called "volume"/],
    [{ bindings: {} }, /no narration setting called "bindings"/],
    [{ optedOut: [] }, /no narration setting called "optedOut"/],
    [{ nameSource: 'nick' }, /Names come from one of: nickname, display_name, username/],
    [{ skipPrefix: 'two words' }, /1 to 8 characters without spaces or backticks/],
    [{ skipPrefix: '123456789' }, /1 to 8 characters/],
    [{ skipPrefix: '`' }, /without spaces or backticks/],
    [{ announceJoins: 'on' }, /Announce joins must be on or off/],
  ])('refuses %j and changes nothing', async (patch, message) => {
    await settings.update('g1', { readNames: false });
    await expect(settings.update('g1', patch as NarrationPatch)).rejects.toThrow(reason('invalid_input'));
    await expect(settings.update('g1', patch as NarrationPatch)).rejects.toThrow(message);
    expect(await settings.get('g1')).toEqual({ ...DEFAULT_NARRATION_SETTINGS, readNames: false });
  });

  it('falls back to defaults for a stored value of the wrong shape, field by field', async () => {
    await store.keyv.set('narration:g1', {
      bindings: { [TEXT]: VOICE, [TEXT2]: 42, junk: null, [channelId(1)]: null },
      readNames: 'yes',
      maxChars: 5,
      readBots: true,
      autoJoin: null,
    });
    await store.keyv.set('narration:g2', 'garbage');
    await store.keyv.set('narration:g3', [1, 2, 3]);
    expect(await settings.get('g1')).toEqual({
      ...DEFAULT_NARRATION_SETTINGS,
      bindings: { [TEXT]: VOICE, [channelId(1)]: null },
      readBots: true,
    });
    expect(await settings.get('g2')).toEqual(DEFAULT_NARRATION_SETTINGS);
    expect(await settings.get('g3')).toEqual(DEFAULT_NARRATION_SETTINGS);
    expect((await settings.update('g2', { maxChars: 100 })).maxChars).toBe(100);
  });

  it('keeps concurrent changes of one guild', async () => {
    await Promise.all([
      settings.update('g1', { readBots: true }),
      settings.bind('g1', TEXT, VOICE),
      settings.update('g1', { maxChars: 42 }),
      settings.bind('g1', TEXT2, null),
    ]);
    expect(await settings.get('g1')).toEqual({
      ...DEFAULT_NARRATION_SETTINGS,
      readBots: true,
      maxChars: 42,
      bindings: { [TEXT]: VOICE, [TEXT2]: null },
    });
  });
});

/** Every issue-12 setting away from its default. */
const ISSUE_12 = {
  textInVoice: false,
  nameSource: 'username',
  skipPrefix: '!',
  readSilent: true,
  announceJoins: true,
} as const;
const ROLE = '600000000000000001';
const MEMBER = '700000000000000001';

describe('NarrationSettingsStore (SQLite file)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'voicebot-narration-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps settings across closing and reopening the store', async () => {
    const url = `sqlite://${join(dir, 'bot.sqlite')}`;
    const first = await openStore(url);
    await new NarrationSettingsStore(first.keyv).bind('g1', TEXT, VOICE);
    await new NarrationSettingsStore(first.keyv).update('g1', { maxChars: 120, autoJoin: true, ...ISSUE_12 });
    await new NarrationSettingsStore(first.keyv).change('g1', (s) =>
      withNameReading(withOptOut(withIgnored(s, 'role', ROLE, true), MEMBER, true), MEMBER, 'Kay'),
    );
    await first.close();
    const second = await openStore(url);
    try {
      expect(await new NarrationSettingsStore(second.keyv).get('g1')).toEqual({
        ...DEFAULT_NARRATION_SETTINGS,
        bindings: { [TEXT]: VOICE },
        maxChars: 120,
        autoJoin: true,
        ...ISSUE_12,
        ignoredRoles: [ROLE],
        optedOut: [MEMBER],
        nameReadings: { [MEMBER]: 'Kay' },
      });
    } finally {
      await second.close();
    }
  });
});

describe('parseSettings and describeSettings', () => {
  it('caps stored bindings at the limit', () => {
    const bindings = Object.fromEntries(
      Array.from({ length: NARRATION_MAX_BINDINGS + 5 }, (_, i) => [channelId(i), null]),
    );
    expect(Object.keys(parseSettings({ bindings }).bindings)).toHaveLength(NARRATION_MAX_BINDINGS);
  });

  it.each([
    [
      DEFAULT_NARRATION_SETTINGS,
      new RegExp(
        '^Channels read: none yet\nRead names: on\nMax length: 300 characters\nRead bots: off\n' +
          'Auto-join: off\nCharacter lines: on\nOnly members in the call: on\nVoice channel chat: on\n' +
          'Names from: nickname\nSkip prefix: none\nRead @silent messages: off\nAnnounce joins: off\nSpeed: default$',
      ),
    ],
    [
      { ...DEFAULT_NARRATION_SETTINGS, bindings: { [TEXT]: VOICE, [TEXT2]: null }, readBots: true },
      new RegExp(
        `^Channels read: <#${TEXT}> → <#${VOICE}>, <#${TEXT2}> → the voice channel I am in\\n.*Read bots: on`,
        's',
      ),
    ],
  ])('describes %j', (value, expected) => {
    expect(describeSettings(value)).toMatch(expected);
  });
});
