import * as voiceLib from '@discordjs/voice';
import { entersState, joinVoiceChannel, VoiceConnectionStatus } from '@discordjs/voice';
import type { Client } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AddedGuild,
  type DiscordEmulator,
  type DiscordEmulatorOptions,
  startDiscordEmulator,
} from './discord/server.ts';
import { emulatorWithClient } from './discord.helpers.ts';
import { expectToneHeard, joinLounge } from './discord-voice.helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(
  options: DiscordEmulatorOptions,
): Promise<{ emu: DiscordEmulator; client: Client; ids: AddedGuild }> {
  const { emu, client, guild: ids } = await emulatorWithClient(() => startDiscordEmulator(options));
  cleanups.push(
    () => emu.close(),
    () => client.destroy(),
  );
  return { emu, client, ids };
}

function join(client: Client, ids: AddedGuild, daveEncryption = true): voiceLib.VoiceConnection {
  const connection = joinLounge(voiceLib, client, ids, daveEncryption);
  cleanups.push(() => {
    if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
  });
  return connection;
}

describe('voice', () => {
  it('decrypts (aead_aes256_gcm_rtpsize) and decodes 1 s of a 440 Hz tone played by @discordjs/voice', async () => {
    const { emu, client, ids } = await setup({ modes: ['aead_aes256_gcm_rtpsize'] });
    await expectToneHeard(voiceLib, emu, client, ids);
    expect(emu.voice(ids.id).mode).toBe('aead_aes256_gcm_rtpsize');
  });

  it('picks the first mode of the default offer (AES-GCM) and learns the client address by IP discovery', async () => {
    const { emu, client, ids } = await setup({});
    await entersState(join(client, ids), VoiceConnectionStatus.Ready, 5_000);
    expect(emu.voice(ids.id).mode).toBe('aead_aes256_gcm_rtpsize');
    expect(emu.voice(ids.id).clientAddress?.address).toBe('127.0.0.1');
  });

  it('with requireDave, closes 4017 when the client offers DAVE version 0', async () => {
    const { emu, client, ids } = await setup({ requireDave: true });
    join(client, ids, false);
    const voice = await emu.waitForVoice(ids.id, (v) => v.closes.some((c) => c.code === 4_017));
    expect(voice.daveVersionOffered).toBe(0);
    expect(voice.connected).toBe(false);
    expect(voice.closes[0]).toMatchObject({ code: 4_017, by: 'server' });
  });

  it('with requireDave, accepts a client that offers DAVE', async () => {
    const { emu, client, ids } = await setup({ requireDave: true });
    await entersState(join(client, ids), VoiceConnectionStatus.Ready, 5_000);
    expect(emu.voice(ids.id).daveVersionOffered).toBeGreaterThanOrEqual(1);
  });

  it('disconnects the bot server-side', async () => {
    const { emu, client, ids } = await setup({});
    const connection = join(client, ids);
    await entersState(connection, VoiceConnectionStatus.Ready, 5_000);
    emu.disconnectVoice(ids.id);
    await entersState(connection, VoiceConnectionStatus.Disconnected, 5_000);
    expect(client.guilds.cache.get(ids.id)?.members.me?.voice.channelId ?? null).toBeNull();
    expect(emu.voice(ids.id).closes.at(-1)).toMatchObject({ code: 4_014, by: 'server' });
  });

  it('keeps both sockets alive with fast heartbeats (ACKs on the gateway and the voice gateway)', async () => {
    const { emu, client, ids } = await setup({ heartbeatIntervalMs: 50, voiceHeartbeatIntervalMs: 50 });
    const connection = join(client, ids);
    await entersState(connection, VoiceConnectionStatus.Ready, 5_000);
    await emu.waitForVoice(ids.id, (v) => v.heartbeats >= 5 && emu.gateway.heartbeats >= 5);
    expect(connection.state.status).toBe(VoiceConnectionStatus.Ready);
    expect(emu.voice(ids.id).closes).toEqual([]);
    expect(emu.gateway.connected()).toBe(true);
    expect(emu.gateway.identifies).toHaveLength(1);
    expect(client.ws.ping).toBeGreaterThanOrEqual(0);
  });

  it('ignores a join the bot has no permission for', async () => {
    const { emu, client } = await setup({});
    const created = new Promise((resolve) => client.once('guildCreate', resolve));
    const locked = emu.addGuild({
      channels: [{ type: 'voice', name: 'Locked', permissionOverwrites: [{ id: '@everyone', deny: 1n << 20n }] }],
      members: [{ username: 'erin' }],
    });
    await created;
    const guild = client.guilds.cache.get(locked.id)!;
    const connection = joinVoiceChannel({
      guildId: guild.id,
      channelId: locked.channels.Locked!,
      adapterCreator: guild.voiceAdapterCreator,
    });
    connection.on('error', () => {});
    cleanups.push(() => connection.destroy());
    const voice = await emu.waitForVoice(guild.id, (v) => v.requests.length > 0);
    expect(voice.requests[0]?.refused).toBe('missing permissions');
    expect(voice.connected).toBe(false);
  });
});
