import Keyv from 'keyv';
import { pino } from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { PronunciationDictionary } from '../../src/narration/dictionary.ts';
import { Narrator, NO_VOICE_HINT } from '../../src/narration/narrator.ts';
import type { AuthorKind, ChatEvent } from '../../src/narration/route.ts';
import { NarrationSettingsStore } from '../../src/narration/settings.ts';
import { CachedNarrationSettings } from '../../src/narration/settingsCache.ts';
import { NO_MENTIONS } from '../../src/narration/text/chatMessage.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { VoicePreferences } from '../../src/voices/preferences.ts';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import { FakePlayer, VOICE } from './fakePlayer.ts';

const GUILD = '100000000000000001';
const TEXT = '400000000000000001';
const LOUNGE = '500000000000000001';
const ALICE = '111111111111111111';
const BOB = '222222222222222222';
const CAPTAIN: CharacterVoice = VOICE;
const MATE: CharacterVoice = { ...VOICE, name: 'Mate', voiceId: 'qwen-tts-vd-mate-voice-20260101120000123-c3d4' };

let store: NarrationSettingsStore;
let registry: VoiceRegistry;
let preferences: VoicePreferences;
let player: FakePlayer | undefined;
let joins: string[];
let notes: [string, string][];
let narrator: Narrator;

function makeNarrator(maxQueue = 20): Narrator {
  return new Narrator({
    settings: new CachedNarrationSettings(store),
    dictionary: new PronunciationDictionary(keyv),
    registry,
    preferences,
    outlet: {
      presence: () => player && { player, channelId: player.channelId },
      join: async (_, channelId) => {
        joins.push(channelId);
        player = new FakePlayer(channelId, maxQueue);
        return player;
      },
      notify: (channelId, text) => notes.push([channelId, text]),
    },
    maxQueue,
    log: pino({ level: 'silent' }),
  });
}
let keyv: Keyv;
let messages = 0;
function chat(
  content: string,
  over: { author?: string; name?: string; kind?: AuthorKind; voiceChannelId?: string | null; id?: string } = {},
): ChatEvent {
  return {
    guildId: GUILD,
    channelId: TEXT,
    messageId: over.id ?? `m${messages++}`,
    author: {
      id: over.author ?? ALICE,
      name: over.name ?? 'alice',
      kind: over.kind ?? 'member',
      voiceChannelId: over.voiceChannelId === undefined ? LOUNGE : over.voiceChannelId,
    },
    message: { content, mentions: NO_MENTIONS, attachments: [] },
  };
}
const spoken = (): [string, string][] => (player?.pending ?? []).map((u) => [u.text, u.voice.name]);

beforeEach(async () => {
  keyv = new Keyv({ throwOnErrors: true });
  store = new NarrationSettingsStore(keyv);
  registry = new VoiceRegistry(keyv, { maxPerGuild: 10 });
  preferences = new VoicePreferences(keyv);
  await registry.add(GUILD, CAPTAIN);
  await registry.add(GUILD, MATE);
  await preferences.setMemberVoice(GUILD, ALICE, CAPTAIN.voiceId);
  await store.bind(GUILD, TEXT, LOUNGE);
  player = new FakePlayer(LOUNGE);
  joins = [];
  notes = [];
  narrator = makeNarrator();
});

describe('Narrator: reading', () => {
  it('reads a listening member in their voice, cleaned, named once per run', async () => {
    await narrator.message(chat('**Ahoy** https://example.com'));
    await narrator.message(chat('Hoist the sails!'));
    expect(spoken()).toEqual([
      ['alice said: Ahoy link', 'Captain'],
      ['Hoist the sails!', 'Captain'],
    ]);
  });

  it('says the name cleaned, with the dictionary; with read_names off names nobody and remembers nothing', async () => {
    await narrator.dictionary.add(GUILD, 'ali', 'Ah-lee');
    await narrator.settings.update(GUILD, { readNames: false });
    await narrator.message(chat('hi', { name: '**Ali** 🌸' }));
    await narrator.settings.update(GUILD, { readNames: true });
    await narrator.message(chat('hi', { name: '**Ali** 🌸' }));
    await narrator.message(chat('again', { name: '**Ali** 🌸' }));
    expect(spoken()).toEqual([
      ['hi', 'Captain'],
      ['Ah-lee said: hi', 'Captain'],
      ['again', 'Captain'],
    ]);
  });

  it('speaks character lines in their voices, in order; plain text when character lines are off', async () => {
    await narrator.message(chat('[Captain] All hands!\nMate: Aye.'));
    expect(spoken()).toEqual([
      ['All hands!', 'Captain'],
      ['Aye.', 'Mate'],
    ]);
    await narrator.settings.update(GUILD, { characterLines: false });
    player = new FakePlayer(LOUNGE);
    await narrator.message(chat('Mate: Aye.'));
    expect(spoken()).toEqual([['alice said: Mate: Aye.', 'Captain']]);
  });

  it('applies the dictionary and the length limit', async () => {
    await narrator.dictionary.add(GUILD, 'brb', 'be right back');
    await narrator.settings.update(GUILD, { maxChars: 35, readNames: false });
    await narrator.message(chat('brb, the kettle is on and the biscuits are out'));
    expect(spoken()).toEqual([['be right back, the kettle, and more', 'Captain']]);
  });

  it('tells a channel once about members without a voice, but still speaks their character lines', async () => {
    await narrator.message(chat('Hello?', { author: BOB, name: 'bob' }));
    await narrator.message(chat('Anyone?', { author: BOB, name: 'bob' }));
    expect(notes).toEqual([[TEXT, NO_VOICE_HINT]]);
    expect(spoken()).toEqual([]);
    await narrator.message(chat('[Mate] Aye, bob.', { author: BOB, name: 'bob' }));
    expect(spoken()).toEqual([['Aye, bob.', 'Mate']]);
    narrator.rebound(TEXT);
    await narrator.message(chat('Hello again?', { author: BOB, name: 'bob' }));
    expect(notes).toHaveLength(2);
  });

  it('reads a webhook named after a voice in that voice; other webhooks only with read_bots', async () => {
    const mateHook = { author: '900000000000000001', name: 'mate', kind: 'webhook', voiceChannelId: null } as const;
    await narrator.message(chat('Land ho!', mateHook)); // under require_voice, tied to nobody in the call
    expect(spoken()).toEqual([]);
    await narrator.message(chat('m: Land ho!')); // alice, in the call, writes; the proxy posts its copy
    await narrator.message(chat('Land ho!', mateHook));
    expect(spoken().filter(([, voice]) => voice === 'Mate')).toEqual([['mate said: Land ho!', 'Mate']]);
    await narrator.settings.update(GUILD, { requireVoice: false });
    await narrator.message(
      chat('News.', { author: '900000000000000002', name: 'Newsfeed', kind: 'webhook', voiceChannelId: null }),
    );
    expect(spoken().at(-1)?.[0]).not.toContain('News');
    await narrator.settings.update(GUILD, { readBots: true });
    await preferences.setDefaultVoice(GUILD, CAPTAIN.voiceId);
    await narrator.message(
      chat('News.', { author: '900000000000000002', name: 'Newsfeed', kind: 'webhook', voiceChannelId: null }),
    );
    expect(spoken().at(-1)).toEqual(['Newsfeed said: News.', 'Captain']);
  });

  it('does not read members outside the voice channel, or anything while out of voice without auto-join', async () => {
    await narrator.message(chat('Not listening.', { voiceChannelId: null }));
    player = undefined;
    await narrator.message(chat('Nobody is in voice.'));
    expect(joins).toEqual([]);
  });

  it('auto-joins the bound channel its author is in', async () => {
    player = undefined;
    await narrator.settings.update(GUILD, { autoJoin: true });
    await narrator.message(chat('Wait for me!'));
    expect(joins).toEqual([LOUNGE]);
    expect(spoken()).toEqual([['alice said: Wait for me!', 'Captain']]);
    expect(await narrator.joinsOnArrival(GUILD, LOUNGE)).toBe(true);
  });
});

describe('Narrator: floods, edits and deletes', () => {
  it('counts messages that do not fit into one notice at the end of the queue, in the default voice', async () => {
    narrator = makeNarrator(6);
    player = new FakePlayer(LOUNGE, 6);
    await preferences.setDefaultVoice(GUILD, MATE.voiceId);
    for (let i = 1; i <= 6; i++) await narrator.message(chat(`m${i}`)); // alice may hold half the queue: 3
    await narrator.message(chat('b1', { author: BOB, name: 'bob' }));
    await narrator.message(chat('b2', { author: BOB, name: 'bob' }));
    expect(spoken()).toEqual([
      ['alice said: m1', 'Captain'],
      ['m2', 'Captain'],
      ['m3', 'Captain'],
      ['3 messages skipped', 'Mate'],
      ['bob said: b1', 'Mate'],
      ['b2', 'Mate'],
    ]); // the others still have room
  });

  it('reads a waiting message as edited, in its place and named as before; leaves one being read alone', async () => {
    const [first, second, third] = [chat('First.'), chat('Second.'), chat('Third.')];
    for (const message of [first, second, third]) await narrator.message(message);
    await narrator.edit({ ...second, message: { ...second.message, content: 'Second, edited.' } });
    await narrator.edit({ ...first, message: { ...first.message, content: 'First, edited.' } });
    expect(spoken().map(([text]) => text)).toEqual(['alice said: First.', 'Second, edited.', 'Third.']);
  });

  it('drops a waiting message edited to start with the skip prefix', async () => {
    await store.update(GUILD, { skipPrefix: '!' });
    narrator = makeNarrator();
    const [first, second] = [chat('First.'), chat('Second.')];
    for (const message of [first, second]) await narrator.message(message);
    await narrator.edit({ ...second, message: { ...second.message, content: '!Second, hidden.' } });
    expect(spoken().map(([text]) => text)).toEqual(['alice said: First.']);
  });

  it('drops a deleted message before it is read, and cuts it off while it is', async () => {
    const [first, second, third] = [chat('First.'), chat('Second.'), chat('Third.')];
    for (const message of [first, second, third]) await narrator.message(message);
    await narrator.delete(GUILD, second.messageId);
    expect(spoken().map(([text]) => text)).toEqual(['alice said: First.', 'Third.']);
    await narrator.delete(GUILD, first.messageId);
    expect(spoken().map(([text]) => text)).toEqual(['Third.']);
  });
});

describe('Narrator: settings', () => {
  it('reads a server’s settings from the store once, and sees its own changes at once', async () => {
    let reads = 0;
    const get = store.get.bind(store);
    store.get = (guildId) => {
      reads++;
      return get(guildId);
    };
    narrator = makeNarrator();
    for (let i = 0; i < 5; i++) await narrator.message(chat(`line ${i}`));
    expect(reads).toBe(1);
    await narrator.settings.unbind(GUILD, TEXT);
    await narrator.message(chat('Unbound now.'));
    expect(spoken()).toHaveLength(5);
    expect((await new NarrationSettingsStore(keyv).get(GUILD)).bindings).toEqual({});
  });
});
