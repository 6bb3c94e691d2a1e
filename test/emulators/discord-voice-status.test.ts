/**
 * The emulator's Set Voice Channel Status endpoint, its permission rules and VOICE_CHANNEL_STATUS_UPDATE, and
 * messages in a voice channel's own chat (with @silent), through a real discord.js client.
 */
import { once } from 'node:events';
import { ChannelType, type Client, DiscordAPIError, type Message, MessageFlags, Routes } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddedGuild, type DiscordEmulator, Perm, startDiscordEmulator } from './discord/server.ts';
import { emulatorWithClient, sampleGuild } from './discord.helpers.ts';

let emu: DiscordEmulator;
let client: Client;
let g: AddedGuild;

beforeAll(async () => {
  ({ emu, guild: g, client } = await emulatorWithClient(() => startDiscordEmulator()));
});
afterAll(async () => {
  await client?.destroy();
  await emu?.close();
});

const put = (channelId: string, status: unknown) =>
  client.rest.put(Routes.channelVoiceStatus(channelId), { body: { status } });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => (error instanceof DiscordAPIError ? { status: error.status, code: error.code } : error),
  );

describe('Set Voice Channel Status', () => {
  it('needs Manage Channels while the bot is not connected to the channel', async () => {
    expect(await refusal(put(g.channels.Lounge!, 'Reading #general'))).toEqual({ status: 403, code: 50_013 });
    expect(emu.voiceStatus(g.channels.Lounge!)).toBeNull();
  });

  it('sets and clears the status of the channel the bot is in, dispatching VOICE_CHANNEL_STATUS_UPDATE', async () => {
    emu.setVoiceState(g.id, emu.applicationId, 'Lounge');
    const events: unknown[] = [];
    const onRaw = (packet: { t?: string; d?: unknown }) => {
      if (packet.t === 'VOICE_CHANNEL_STATUS_UPDATE') events.push(packet.d);
    };
    client.on('raw', onRaw);
    await put(g.channels.Lounge!, 'Reading #general');
    expect(emu.voiceStatus(g.channels.Lounge!)).toBe('Reading #general');
    await put(g.channels.Lounge!, null);
    expect(emu.voiceStatus(g.channels.Lounge!)).toBeNull();
    await put(g.channels.Lounge!, 'again');
    await put(g.channels.Lounge!, '');
    await emu.waitForVoiceStatus(g.channels.Lounge!, (c) => c.status === 'again');
    for (let waited = 0; events.length < 4 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    client.off('raw', onRaw);
    const id = g.channels.Lounge;
    expect(events).toEqual([
      { id, guild_id: g.id, status: 'Reading #general' },
      { id, guild_id: g.id, status: null },
      { id, guild_id: g.id, status: 'again' },
      { id, guild_id: g.id, status: null },
    ]);
    expect(emu.voiceStatuses(id).map((c) => [c.status, c.by])).toEqual([
      ['Reading #general', 'bot'],
      [null, 'bot'],
      ['again', 'bot'],
      [null, 'bot'],
    ]);
  });

  it('refuses a text channel, an unknown one, a missing status and one over 500 characters', async () => {
    expect(await refusal(put(g.channels.general!, 'x'))).toEqual({ status: 400, code: 50_024 });
    expect(await refusal(put('123456789012345678', 'x'))).toEqual({ status: 404, code: 10_003 });
    expect(await refusal(put(g.channels.Lounge!, 42))).toEqual({ status: 400, code: 50_035 });
    expect(await refusal(put(g.channels.Lounge!, 'x'.repeat(501)))).toEqual({ status: 400, code: 50_035 });
    await put(g.channels.Lounge!, 'é'.repeat(500));
    expect(emu.voiceStatus(g.channels.Lounge!)).toHaveLength(500);
  });

  it('refuses a bot without Set Voice Channel Status even when connected', async () => {
    const bare = emu.addGuild(
      sampleGuild({ name: 'Bare', botPermissions: Perm.ViewChannel | Perm.Connect | Perm.Speak }),
    );
    emu.setVoiceState(bare.id, emu.applicationId, 'Lounge');
    expect(await refusal(put(bare.channels.Lounge!, 'x'))).toEqual({ status: 403, code: 50_013 });
  });
});

describe('a voice channel’s own chat', () => {
  it('carries members’ messages, with the @silent flag when sent so', async () => {
    const received = once(client, 'messageCreate') as Promise<[Message]>;
    emu.sendMessage({ guildId: g.id, channelId: 'Lounge', authorId: 'alice', content: 'psst', silent: true });
    const [message] = await received;
    expect(message.channel.type).toBe(ChannelType.GuildVoice);
    expect(message.content).toBe('psst');
    expect(message.flags.has(MessageFlags.SuppressNotifications)).toBe(true);
  });

  it('takes the bot’s own messages', async () => {
    const channel = client.channels.cache.get(g.channels.Lounge!);
    if (!channel?.isSendable()) throw new Error('the voice channel is not sendable');
    await channel.send('hello, call');
    expect(emu.channelMessages(g.channels.Lounge!).map((m) => m.content)).toEqual(['hello, call']);
  });
});

describe('clearWhenEmpty', () => {
  it('clears the status when the last member leaves, when configured so', async () => {
    const other = await startDiscordEmulator({ voiceStatus: { clearWhenEmpty: true } });
    try {
      const guild = other.addGuild(sampleGuild());
      other.setVoiceState(guild.id, other.applicationId, 'Lounge');
      const response = await fetch(`${other.restUrl}/v10/channels/${guild.channels.Lounge}/voice-status`, {
        method: 'PUT',
        headers: { authorization: `Bot ${other.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'Reading #general' }),
      });
      expect(response.status).toBe(204);
      other.setVoiceState(guild.id, 'alice', null);
      expect(other.voiceStatus(guild.channels.Lounge!)).toBe('Reading #general');
      other.setVoiceState(guild.id, other.applicationId, null);
      expect(other.voiceStatuses(guild.channels.Lounge).map((c) => [c.status, c.by])).toEqual([
        ['Reading #general', 'bot'],
        [null, 'emptied'],
      ]);
    } finally {
      await other.close();
    }
  });
});
