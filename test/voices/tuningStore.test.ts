/** Voice defaults (`/voice tune`) and members' own speeds, kept on SQLite across a restart of the store. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { VoicePreferences } from '../../src/voices/preferences.ts';
import { VoiceRegistry } from '../../src/voices/registry.ts';
import { openStore, type Store } from '../../src/voices/store.ts';
import { tuningFor } from '../../src/voices/tuningFor.ts';
import { parseVoice } from '../../src/voices/voiceRecord.ts';

const voice = (name: string, voiceId: string, createdAt: number): CharacterVoice => ({
  name,
  voiceId,
  targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
  description: 'warm',
  language: 'en',
  createdBy: '111111111111111111',
  createdAt,
});

describe('speech settings in the store (SQLite)', () => {
  let dir: string;
  let url: string;
  const stores: Store[] = [];
  const open = async () => {
    const store = await openStore(url);
    stores.push(store);
    return {
      registry: new VoiceRegistry(store.keyv, { maxPerGuild: 5 }),
      preferences: new VoicePreferences(store.keyv),
      close: () => store.close(),
    };
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'voicebot-tuning-'));
    url = `sqlite://${join(dir, 'bot.sqlite')}`;
  });
  afterEach(async () => {
    await Promise.allSettled(stores.splice(0).map((s) => s.close()));
    await rm(dir, { recursive: true, force: true });
  });

  it('a voice keeps its tuning, in place, across reopening; {} clears it', async () => {
    const first = await open();
    await first.registry.add('g1', voice('Ada', 'vid-ada', 1));
    await first.registry.add('g1', voice('Bo', 'vid-bo', 2));
    const tuned = await first.registry.tune('g1', 'ada', { speechRate: 1.5, volume: 70 });
    expect(tuned?.tuning).toEqual({ speechRate: 1.5, volume: 70 });
    expect(await first.registry.tune('g1', 'nobody', { volume: 1 })).toBeUndefined();
    await first.close();
    const second = await open();
    expect((await second.registry.list('g1')).map((v) => [v.name, v.tuning])).toEqual([
      ['Bo', undefined],
      ['Ada', { speechRate: 1.5, volume: 70 }],
    ]);
    expect((await second.registry.tune('g1', 'vid-ada', {}))?.tuning).toBeUndefined();
    expect((await second.registry.get('g1', 'Ada'))?.tuning).toBeUndefined();
  });

  it('a member’s speed belongs to their chosen voice, survives reopening, and is cleared by a new choice', async () => {
    const first = await open();
    const ada = await first.registry.add('g1', {
      ...voice('Ada', 'vid-ada', 1),
      tuning: { speechRate: 1.2, pitchRate: 0.9 },
    });
    const bo = await first.registry.add('g1', voice('Bo', 'vid-bo', 2));
    await first.preferences.setMemberVoice('g1', 'u1', ada.voiceId, 0.8);
    await first.close();
    const second = await open();
    expect(await second.preferences.memberChoice('g1', 'u1')).toEqual({ voiceId: 'vid-ada', speed: 0.8 });
    expect(await tuningFor(second.preferences, 'g1', 'u1', ada, 1.7)).toEqual({ speechRate: 0.8, pitchRate: 0.9 });
    expect(await tuningFor(second.preferences, 'g1', 'u1', bo, 1.7)).toEqual({ speechRate: 1.7 });
    expect(await tuningFor(second.preferences, 'g1', 'u2', ada, 1.7)).toEqual({ speechRate: 1.2, pitchRate: 0.9 });
    await second.preferences.setMemberVoice('g1', 'u1', bo.voiceId);
    expect(await second.preferences.memberChoice('g1', 'u1')).toEqual({ voiceId: 'vid-bo', speed: undefined });
  });
});

describe('parseVoice with tuning', () => {
  it('clamps stored settings out of range instead of dropping the voice, and omits empty ones', () => {
    const parsed = parseVoice({ ...voice('Ada', 'vid', 1), tuning: { speechRate: 7, volume: 'loud' } });
    expect(parsed).toEqual({ ok: true, voice: { ...voice('Ada', 'vid', 1), tuning: { speechRate: 2 } } });
    const plain = parseVoice({ ...voice('Ada', 'vid', 1), tuning: {} });
    expect(plain.ok && 'tuning' in plain.voice).toBe(false);
  });
});
