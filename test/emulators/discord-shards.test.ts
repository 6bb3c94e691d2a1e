import { once } from 'node:events';
import { Client, type Message } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type DiscordEmulator, startDiscordEmulator } from './discord/server.ts';
import { shardOf, snowflakeOnShard } from './discord/shards.ts';
import { BOT_INTENTS, sampleGuild } from './discord.helpers.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function shardClient(emu: DiscordEmulator, shardId: number, count: number): Promise<Client> {
  const client = new Client({
    intents: BOT_INTENTS,
    rest: { api: emu.restUrl },
    waitGuildTimeout: 200,
    shards: [shardId],
    shardCount: count,
  });
  cleanups.push(() => client.destroy());
  const ready = once(client, 'clientReady');
  await client.login(emu.token);
  await ready;
  return client;
}

/** Opens a raw gateway socket, identifies on `shard`, and resolves with the close code (or 'ready'). */
function rawIdentify(emu: DiscordEmulator, shard: [number, number]): Promise<number | 'ready'> {
  const ws = new WebSocket(`${emu.gatewayUrl}/?v=10&encoding=json`);
  cleanups.push(() => ws.terminate());
  return new Promise((resolve) => {
    ws.on('message', (raw) => {
      const packet = JSON.parse(raw.toString()) as { op: number; t?: string };
      if (packet.op === 10) ws.send(JSON.stringify({ op: 2, d: { token: emu.token, intents: 1, shard } }));
      if (packet.t === 'READY') resolve('ready');
    });
    ws.on('close', (code) => resolve(code));
  });
}

describe('sharded gateway', () => {
  it('routes each guild to shard (id >> 22) % count and recommends the configured shard count', async () => {
    const emu = await startDiscordEmulator({ recommendedShards: 2 });
    cleanups.push(() => emu.close());
    const a = emu.addGuild(sampleGuild({ id: snowflakeOnShard(0, 2), name: 'On zero' }));
    const b = emu.addGuild(sampleGuild({ id: snowflakeOnShard(1, 2), name: 'On one' }));
    expect([shardOf(a.id, 2), shardOf(b.id, 2)]).toEqual([0, 1]);
    const meta = (await (await fetch(`${emu.restUrl}/v10/gateway/bot`, { headers: auth(emu) })).json()) as {
      shards: number;
    };
    expect(meta.shards).toBe(2);

    const [zero, one] = [await shardClient(emu, 0, 2), await shardClient(emu, 1, 2)];
    expect([...zero.guilds.cache.keys()]).toEqual([a.id]);
    expect([...one.guilds.cache.keys()]).toEqual([b.id]);
    expect(emu.gateway.liveShards()).toEqual([
      [0, 2],
      [1, 2],
    ]);
    const seen: Array<[number, string]> = [];
    zero.on('messageCreate', (m: Message) => seen.push([0, m.content]));
    one.on('messageCreate', (m: Message) => seen.push([1, m.content]));
    emu.sendMessage({ guildId: a.id, channelId: 'general', authorId: 'bob', content: 'to zero' });
    emu.sendMessage({ guildId: b.id, channelId: 'general', authorId: 'bob', content: 'to one' });
    await Promise.all([once(zero, 'messageCreate'), once(one, 'messageCreate')]);
    emu.setVoiceState(b.id, b.members.bob!, b.channels.Lounge!);
    const [, moved] = (await once(one, 'voiceStateUpdate')) as [unknown, { guild: { id: string } }];
    expect(moved.guild.id).toBe(b.id);
    expect(seen.sort()).toEqual([
      [0, 'to zero'],
      [1, 'to one'],
    ]);
  });

  it('refuses a second IDENTIFY of a shard that has a live session, with close code 4010', async () => {
    const emu = await startDiscordEmulator({ recommendedShards: 2 });
    cleanups.push(() => emu.close());
    emu.addGuild(sampleGuild({ id: snowflakeOnShard(1, 2) }));
    expect(await rawIdentify(emu, [1, 2])).toBe('ready');
    expect(await rawIdentify(emu, [1, 2])).toBe(4_010);
    expect(await rawIdentify(emu, [0, 2])).toBe('ready');
    expect(await rawIdentify(emu, [2, 2])).toBe(4_010);
    expect(emu.gateway.duplicateIdentifies).toBe(1);
  });
});

const auth = (emu: DiscordEmulator) => ({ Authorization: `Bot ${emu.token}` });
