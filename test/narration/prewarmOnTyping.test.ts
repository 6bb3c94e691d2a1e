import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PREWARM_INTERVAL_MS, TypingPrewarm } from '../../src/narration/prewarmOnTyping.ts';
import { NarrationSettingsStore } from '../../src/narration/settings.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { VoicePreferences } from '../../src/voices/preferences.ts';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import type { SpeechTuning } from '../../src/voices/speechTuning.ts';
import { openStore, type Store } from '../../src/voices/store.ts';

const G = 'g1';
const TEXT = '100000000000000001';
const OTHER_TEXT = '100000000000000002';
const LOUNGE = '200000000000000001';
const ALICE = '300000000000000001';
const BOB = '300000000000000002';
const captain: CharacterVoice = {
  name: 'Captain',
  voiceId: 'vid-captain',
  targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
  description: 'gruff',
  language: 'en',
  createdBy: ALICE,
  createdAt: 1,
  tuning: { pitchRate: 0.8 },
};

describe('TypingPrewarm', () => {
  let store: Store;
  let settings: NarrationSettingsStore;
  let preferences: VoicePreferences;
  let now: number;
  let botChannel: string | undefined;
  let warmed: Array<[string, SpeechTuning]>;
  let prewarm: TypingPrewarm;
  const typing = (userId: string, channelId = TEXT, voiceChannelId: string | null = LOUNGE, kind = 'member') =>
    prewarm.typing({
      guildId: G,
      channelId,
      author: { id: userId, name: 'someone', kind: kind as 'member', voiceChannelId },
    });

  beforeEach(async () => {
    store = await openStore('memory://');
    const registry = new VoiceRegistry(store.keyv, { maxPerGuild: 5 });
    preferences = new VoicePreferences(store.keyv);
    settings = new NarrationSettingsStore(store.keyv);
    await registry.add(G, captain);
    await preferences.setMemberVoice(G, ALICE, captain.voiceId, 1.5);
    await settings.bind(G, TEXT, LOUNGE);
    now = 1_000_000;
    botChannel = LOUNGE;
    warmed = [];
    prewarm = new TypingPrewarm({
      settings,
      registry,
      preferences,
      botChannel: () => botChannel,
      prewarm: (voice, tuning) => warmed.push([voice.voiceId, tuning]),
      log: pino({ level: 'silent' }),
      now: () => now,
    });
  });
  afterEach(() => store.close());

  it('opens the typing member’s voice with their effective settings', async () => {
    expect(await typing(ALICE)).toBe('prewarmed');
    expect(warmed).toEqual([['vid-captain', { speechRate: 1.5, pitchRate: 0.8 }]]);
  });

  it('at most once per member per 10 s; other members are counted apart', async () => {
    await preferences.setMemberVoice(G, BOB, captain.voiceId);
    expect(await typing(ALICE)).toBe('prewarmed');
    now += PREWARM_INTERVAL_MS - 1;
    expect(await typing(ALICE)).toBe('too_soon');
    expect(await typing(BOB)).toBe('prewarmed');
    now += 1;
    expect(await typing(ALICE)).toBe('prewarmed');
    expect(warmed.map(([id]) => id)).toHaveLength(3);
  });

  it('not where the message would not be read, nor for a member without a voice, nor for bots', async () => {
    expect(await typing(ALICE, OTHER_TEXT)).toBe('unbound');
    expect(await typing(ALICE, TEXT, null)).toBe('author_not_listening');
    expect(await typing(BOB)).toBe('no_voice');
    expect(await typing(ALICE, TEXT, LOUNGE, 'bot')).toBe('not_a_member');
    botChannel = undefined;
    expect(await typing(ALICE)).toBe('not_in_voice');
    expect(warmed).toEqual([]);
  });
});
