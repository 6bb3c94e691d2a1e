/**
 * Voice helpers for tests that drive a real @discordjs/voice connection against the Discord emulator.
 */
import { Readable } from 'node:stream';
import type { Client } from 'discord.js';
import { expect } from 'vitest';
import { type AddedGuild, type DiscordEmulator, dominantFrequency, rms, sineTone } from './discord/server.ts';

/** The @discordjs/voice module (passed in so a test may load it its own way). */
export type VoiceLib = typeof import('@discordjs/voice');
type VoiceConnection = import('@discordjs/voice').VoiceConnection;

/** Joins the sample guild's Lounge; errors are swallowed (tests assert on states). */
export function joinLounge(lib: VoiceLib, client: Client, ids: AddedGuild, daveEncryption = true): VoiceConnection {
  const guild = client.guilds.cache.get(ids.id)!;
  const connection = lib.joinVoiceChannel({
    guildId: ids.id,
    channelId: ids.channels.Lounge!,
    adapterCreator: guild.voiceAdapterCreator,
    daveEncryption,
  });
  connection.on('error', () => {});
  return connection;
}

/**
 * Joins, plays `toneMs` of a `toneHz` sine as raw PCM, and checks what the emulator decoded:
 * ~50 frames a second, the tone's frequency ± 10 Hz, real-time pacing, trailing silence, leave on destroy.
 */
export async function expectToneHeard(
  lib: VoiceLib,
  emu: DiscordEmulator,
  client: Client,
  ids: AddedGuild,
  toneHz = 440,
  toneMs = 1_000,
): Promise<void> {
  const connection = joinLounge(lib, client, ids);
  try {
    await lib.entersState(connection, lib.VoiceConnectionStatus.Ready, 5_000);
    const voice = emu.voice(ids.id);
    expect(voice).toMatchObject({ connected: true, channelId: ids.channels.Lounge, daveVersionOffered: 1 });
    expect(voice.requests[0]).toMatchObject({ channelId: ids.channels.Lounge, selfDeaf: true, refused: null });
    const player = lib.createAudioPlayer();
    connection.subscribe(player);
    player.play(lib.createAudioResource(Readable.from([sineTone(toneHz, toneMs)]), { inputType: lib.StreamType.Raw }));
    const audio = await emu.waitForAudio(ids.id, { minMs: toneMs - 100, untilIdle: true, timeoutMs: toneMs + 4_000 });
    await lib.entersState(player, lib.AudioPlayerStatus.Idle, 2_000);
    const frames = toneMs / 20;
    expect(audio.frames).toBeGreaterThanOrEqual(frames - 2);
    expect(audio.frames).toBeLessThanOrEqual(frames + 2);
    expect(audio.pcm.length).toBe(audio.frames * 3_840);
    expect(Math.abs(dominantFrequency(audio.pcm, { minHz: 100, maxHz: 2_000 }) - toneHz)).toBeLessThanOrEqual(10);
    expect(rms(audio.pcm)).toBeGreaterThan(0.2);
    expect(audio.lastAt! - audio.firstAt!).toBeGreaterThan(toneMs * 0.8);
    expect(voice.decryptFailures).toBe(0);
    expect(voice.packets.some((p) => p.silence)).toBe(true);
    expect(voice.speaking.map((s) => s.speaking)).toContain(1);
    expect(emu.audioSegments(ids.id)).toHaveLength(1);
    connection.destroy();
    await emu.waitForVoice(ids.id, (v) => v.requests.at(-1)?.channelId === null && !v.connected);
    expect(voice.channelId).toBeNull();
  } finally {
    if (connection.state.status !== lib.VoiceConnectionStatus.Destroyed) connection.destroy();
  }
}
