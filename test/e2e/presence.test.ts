/**
 * End to end: who decides where the bot is in voice (one owner per guild), and what members are told when
 * DashScope fails for a reason only the operator can fix — through the real bot (`npm start`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, eventually, standardGuild, startWorld } from './harness.ts';
import { expectUtterance, listener, NarrationMirror } from './narration.helpers.ts';

let world: BotWorld;
let g: AddedGuild;
let captain: string;

const command = (userId: string, name: string, subcommand?: string, options: Record<string, string> = {}) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members[userId]!,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });
const post = (userId: string, content: string) =>
  world.discord.sendMessage({ guildId: g.id, channelId: g.channels.general!, authorId: g.members[userId]!, content });

beforeAll(async () => {
  const guild = standardGuild('Harbour', {
    channels: [
      { type: 'text', name: 'general' },
      { type: 'voice', name: 'Lounge' },
      { type: 'voice', name: 'Cabin' },
    ],
  });
  const started = await startWorld([guild]);
  world = started;
  g = started.guilds[0]!;
  captain = await designVoice(world, g, 'Captain');
  for (const member of ['alice', 'bob']) await command(member, 'voice', 'use', { name: 'Captain' }).reply();
}, 90_000);
afterAll(() => world?.close(), 30_000);

describe('operator problems are not members’ problems', () => {
  it('a refused key: members hear the service is unavailable, the log tells the operator what to check', async () => {
    world.dashscope.faults.realtime.handshakeStatus = 401;
    await command('alice', 'say', undefined, { text: 'Is anyone there?' }).reply();
    const notice = await world.discord.waitForChannelMessage(g.channels.general!, (m) =>
      m.content.startsWith('Could not say'),
    );
    expect(notice.content).toMatch(/voice service is not available to this bot right now/);
    expect(notice.content).not.toMatch(/DASHSCOPE|API key|InvalidApiKey/);
    expect(world.logs.some((l) => l.includes('utterance failed') && l.includes('Check DASHSCOPE_API_KEY'))).toBe(true);
    expect((await command('alice', 'leave').reply()).content).toBe('Left the voice channel.');
  });
});

describe('one owner of voice presence', () => {
  it('follows a moderator’s move: reads the new channel’s members, ignores the old channel emptying', async () => {
    world.dashscope.faults.realtime.handshakeStatus = null;
    const { hear, synthesized } = listener(world, g.id);
    const leaves = (): number => world.logs.filter((l) => l.includes('"msg":"left voice"')).length;
    await command('ada', 'narrate', 'start').reply(); // ada is not in voice: bound to whichever channel the bot joins
    await command('alice', 'join').reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected && v.channelId === g.channels.Lounge);
    world.discord.setVoiceState(g.id, g.members.bob!, g.channels.Cabin!);
    world.discord.setVoiceState(g.id, world.discord.applicationId, g.channels.Cabin!); // a moderator drags the bot
    await eventually(() => world.logs.some((l) => l.includes('"msg":"moved in voice"')), 5_000, 'the move to be seen');

    const mirror = new NarrationMirror([]);
    const bob = { id: g.members.bob!, name: 'bob' };
    const heard = async (content: string): Promise<void> => {
      world.discord.clearAudio(g.id);
      const mark = world.dashscope.requests.length;
      post('bob', content);
      const [text] = mirror.spoken(g.channels.general!, bob, content);
      const audio = await hear([[text!, captain]]);
      expect(synthesized(mark)).toEqual([text]);
      expectUtterance(audio, text!, captain);
    };
    post('alice', 'I am still in the lounge.'); // not in the bot's channel any more: not read
    await heard('Hello from the cabin.');

    const leftBefore = leaves();
    world.discord.setVoiceState(g.id, g.members.alice!, null); // the old channel empties: the bot stays
    await heard('Still here?'); // handled after alice's leave (one gateway, in order)
    expect(leaves()).toBe(leftBefore);
    expect(world.discord.voice(g.id).channelId).toBe(g.channels.Cabin);
    world.discord.setVoiceState(g.id, g.members.bob!, null); // its own channel empties: it goes
    await world.discord.waitForVoice(g.id, (v) => v.channelId === null, 5_000);
    expect(world.logs.some((l) => l.includes('"msg":"left voice"') && l.includes('"reason":"alone"'))).toBe(true);
  });
});

describe('moving to another channel', () => {
  it('/join elsewhere leaves the old channel and joins the new one, where speech is heard', async () => {
    const { hear } = listener(world, g.id);
    world.discord.setVoiceState(g.id, g.members.alice!, g.channels.Lounge!);
    world.discord.setVoiceState(g.id, g.members.bob!, g.channels.Cabin!);
    await command('alice', 'join').reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected && v.channelId === g.channels.Lounge);
    const joinsBefore = world.discord.voice(g.id).requests.length;
    // The old connection's leave (op 4, no channel) and the new join go through one voice thread in order; the old
    // connection letting its gateway adapter go must not take the new connection's adapter with it.
    expect((await command('alice', 'join', undefined, { channel: g.channels.Cabin! }).reply()).content).toBe(
      `Joined <#${g.channels.Cabin}>.`,
    );
    const voice = await world.discord.waitForVoice(g.id, (v) => v.connected && v.channelId === g.channels.Cabin);
    expect(voice.requests.slice(joinsBefore).map((r) => r.channelId)).toEqual([null, g.channels.Cabin]);
    world.discord.clearAudio(g.id);
    await command('bob', 'say', undefined, { text: 'Heard in the cabin.' }).reply();
    expectUtterance(await hear([['Heard in the cabin.', captain]]), 'Heard in the cabin.', captain);
    expect(world.discord.voice(g.id).channelId).toBe(g.channels.Cabin);
    expect((await command('bob', 'leave').reply()).content).toBe('Left the voice channel.');
  });
});
