/**
 * End to end: speed, pitch and volume (voice defaults, a member's own speed, the server's narration speed) as the
 * loopback DashScope receives them in `session.update`, kept across a restart on SQLite; and the voice session
 * pre-warmed when a member starts typing (TYPING_START), bounded per member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, eventually, standardGuild, startWorld, waitForLog } from './harness.ts';
import { expectUtterance, listener } from './narration.helpers.ts';

let world: BotWorld;
let g: AddedGuild;
let captain: string;
let mate: string;
let hear: ReturnType<typeof listener>['hear'];

type Options = Record<string, string | number | boolean>;
const command = (userId: string, name: string, subcommand: string | undefined, options: Options = {}) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members[userId]!,
    name,
    ...(subcommand === undefined ? {} : { subcommand }),
    options,
  });
const replyTo = async (userId: string, name: string, subcommand: string | undefined, options: Options = {}) =>
  (await command(userId, name, subcommand, options).reply()).content;
const post = (userId: string, content: string) =>
  world.discord.sendMessage({ guildId: g.id, channelId: g.channels.general!, authorId: g.members[userId]!, content });

/** The `session` objects of every `session.update` the emulator received since request number `mark`. */
const updates = (mark: number): Record<string, unknown>[] =>
  world.dashscope.requests
    .slice(mark)
    .filter((r) => r.action === 'session.update')
    .map((r) => (r.body as { session: Record<string, unknown> }).session);
const sessionsOpened = (): number => world.dashscope.ctx.stats.realtimeSessions;

/** `/say text [voice]` as `userId`, heard in full at the listener; returns the new `session.update`s. */
async function sayHeard(
  userId: string,
  text: string,
  voiceId: string,
  voice?: string,
): Promise<Record<string, unknown>[]> {
  const mark = world.dashscope.requests.length;
  world.discord.clearAudio(g.id);
  await command(userId, 'say', undefined, voice === undefined ? { text } : { text, voice }).reply();
  expectUtterance(await hear([[text, voiceId]]), text, voiceId);
  return updates(mark);
}

beforeAll(async () => {
  const started = await startWorld([standardGuild('Harbour')]);
  world = started;
  g = started.guilds[0]!;
  ({ hear } = listener(world, g.id));
  captain = await designVoice(world, g, 'Captain');
  mate = await designVoice(world, g, 'Mate');
  await command('alice', 'voice', 'use', { name: 'Captain' }).reply();
  await command('alice', 'join', undefined).reply();
  await world.discord.waitForVoice(g.id, (v) => v.connected);
}, 90_000);
afterAll(() => world?.close(), 30_000);

describe('speed, pitch and volume', () => {
  it('/voice tune: shown to anyone, set by its creator, sent in session.update; equal settings share one', async () => {
    expect(await replyTo('bob', 'voice', 'tune', { name: 'Captain', speed: 1.5 })).toMatch(
      /^Only <@\d+> or someone with Manage Server can tune \*\*Captain\*\*\.$/,
    );
    expect(await replyTo('alice', 'voice', 'tune', { name: 'Captain', speed: 1.5, pitch: 0.9, volume: 70 })).toBe(
      '**Captain** now speaks with speed 1.5×, pitch 0.9×, volume 70.',
    );
    expect(await replyTo('bob', 'voice', 'tune', { name: 'Captain' })).toBe(
      '**Captain** speaks with speed 1.5×, pitch 0.9×, volume 70.',
    );
    const sent = await sayHeard('alice', 'The wind is fair today.', captain);
    expect(sent).toEqual([
      expect.objectContaining({
        voice: captain,
        language_type: 'English',
        speech_rate: 1.5,
        pitch_rate: 0.9,
        volume: 70,
      }),
    ]);
    const opened = sessionsOpened();
    expect(await sayHeard('alice', 'And the sea is calm.', captain)).toEqual([]);
    expect(sessionsOpened()).toBe(opened);
  });

  it('values out of range get their range in the reply and change nothing', async () => {
    expect(await replyTo('alice', 'voice', 'tune', { name: 'Captain', speed: 3, volume: 101 })).toBe(
      'Speed must be a number from 0.5 to 2 (got 3). Volume must be a whole number from 0 to 100 (got 101). ' +
        'Nothing was changed.',
    );
    expect(await replyTo('alice', 'voice', 'use', { name: 'Mate', speed: 0.2 })).toMatch(
      /^Speed must be a number from 0\.5 to 2 \(got 0\.2\)\. Nothing was changed\.$/,
    );
    expect(await replyTo('ada', 'narrate', 'settings', { speed: 2.5 })).toMatch(/got 2\.5\)\. Nothing was changed\./);
    expect(await replyTo('alice', 'voice', 'tune', { name: 'Captain' })).toMatch(/speed 1\.5×, pitch 0\.9×, volume 70/);
    expect(await replyTo('ada', 'narrate', 'settings')).toMatch(/\nSpeed: default/);
    // Still Captain, at the voice's settings: the warm session of the same key carries it, nothing new is set up.
    expect(await sayHeard('alice', 'Nothing changed at all.', captain)).toEqual([]);
  });

  it('a member’s own speed beats the voice’s, and only in the voice they chose', async () => {
    expect(await replyTo('alice', 'voice', 'use', { name: 'Captain', speed: 0.8 })).toBe(
      'You now speak as **Captain** at speed 0.8×.',
    );
    expect(await sayHeard('alice', 'Slowly, slowly now.', captain)).toEqual([
      expect.objectContaining({ voice: captain, speech_rate: 0.8, pitch_rate: 0.9, volume: 70 }),
    ]);
    const asMate = await sayHeard('alice', 'Speaking as the mate.', mate, 'Mate');
    expect(asMate).toEqual([expect.objectContaining({ voice: mate, language_type: 'English' })]);
    expect(asMate[0]).not.toHaveProperty('speech_rate');
  });

  it('narration: the server’s speed below the voice’s and the member’s', async () => {
    await command('ada', 'narrate', 'start').reply();
    expect(await replyTo('ada', 'narrate', 'settings', { speed: 1.25 })).toMatch(/\nSpeed: 1\.25×/);
    world.discord.setVoiceState(g.id, g.members.bob!, g.channels.Lounge!);
    await command('bob', 'voice', 'use', { name: 'Mate' }).reply();
    let mark = world.dashscope.requests.length;
    post('bob', 'Bob reads at the server speed.');
    const server = await eventually(() => updates(mark).find((s) => s.voice === mate), 15_000, 'a Mate session');
    expect(server).toMatchObject({ speech_rate: 1.25 });
    expect(server).not.toHaveProperty('volume');

    expect(await replyTo('ada', 'voice', 'tune', { name: 'Mate', speed: 1.1 })).toMatch(/speed 1\.1×/);
    mark = world.dashscope.requests.length;
    post('bob', 'Bob reads at the voice speed.');
    const voice = await eventually(() => updates(mark).find((s) => s.voice === mate), 15_000, 'a tuned Mate session');
    expect(voice).toMatchObject({ speech_rate: 1.1 });

    await command('alice', 'voice', 'use', { name: 'Captain', speed: 0.7 }).reply();
    mark = world.dashscope.requests.length;
    post('alice', 'Alice reads at her own speed.');
    const member = await eventually(() => updates(mark).find((s) => s.voice === captain), 15_000, 'a Captain session');
    expect(member).toMatchObject({ speech_rate: 0.7, pitch_rate: 0.9, volume: 70 });
    await world.discord.waitForAudio(g.id, { minMs: 500, untilIdle: true, timeoutMs: 25_000 });
  });
});

describe('after a restart (SQLite), and pre-warmed on typing', () => {
  it('keeps every setting; typing opens the member’s session before the message, once per 10 s', async () => {
    await world.stopBot();
    await world.startBot();
    expect(await replyTo('bob', 'voice', 'tune', { name: 'Captain' })).toMatch(/speed 1\.5×, pitch 0\.9×, volume 70/);
    expect(await replyTo('ada', 'narrate', 'settings')).toMatch(/\nSpeed: 1\.25×/);
    await command('alice', 'join', undefined).reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected);

    const opened = sessionsOpened();
    const mark = world.dashscope.requests.length;
    const logMark = world.logs.length;
    world.discord.typing({ guildId: g.id, channelId: g.channels.general!, userId: g.members.alice! });
    await eventually(() => updates(mark).length === 1, 15_000, 'a pre-warmed session');
    expect(sessionsOpened()).toBe(opened + 1);
    expect(updates(mark)[0]).toMatchObject({ voice: captain, speech_rate: 0.7, pitch_rate: 0.9, volume: 70 });

    // The bound, seen at the emulator: with another voice (another session key), typing again opens nothing.
    await command('alice', 'voice', 'use', { name: 'Mate' }).reply();
    world.discord.typing({ guildId: g.id, channelId: g.channels.general!, userId: g.members.alice! });
    await waitForLog(world.logs, /"outcome":"too_soon"/, 10_000, logMark);
    expect(sessionsOpened()).toBe(opened + 1);
    // Another member is counted apart.
    world.discord.typing({ guildId: g.id, channelId: g.channels.general!, userId: g.members.bob! });
    await eventually(() => updates(mark).some((s) => s.voice === mate), 15_000, 'bob’s pre-warmed session');
    expect(sessionsOpened()).toBe(opened + 2);

    // The message arrives: the pre-warmed session speaks it, no new session is set up.
    await command('alice', 'voice', 'use', { name: 'Captain', speed: 0.7 }).reply();
    world.discord.clearAudio(g.id);
    post('alice', 'Ready before I hit enter.');
    await world.discord.waitForAudio(g.id, { minMs: 500, untilIdle: true, timeoutMs: 25_000 });
    expect(sessionsOpened()).toBe(opened + 2);
    expect(updates(mark)).toHaveLength(2);
  });
});
