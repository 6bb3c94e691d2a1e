/**
 * End to end (issue 12 §2–5), through the real bot (`npm start`): the voice channel's own chat, how names are
 * said, who is read, join announcements and the voice channel status. What is read is asserted where it is
 * observable: the exact text the bot sent to the DashScope emulator, and the audio at the listening member.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AddedGuild, DEFAULT_BOT_PERMISSIONS, Perm } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, eventually, standardGuild, startWorld, waitForLog } from './harness.ts';
import { expectUtterance, listener } from './narration.helpers.ts';

let world: BotWorld;
let g: AddedGuild;
let bare: AddedGuild;
let captain: string;
let hear: ReturnType<typeof listener>['hear'];
let synthesized: ReturnType<typeof listener>['synthesized'];

type Options = Record<string, string | number | boolean>;
const command = (userId: string, subcommand: string, options: Options = {}, group?: string, guild = g) =>
  world.discord.slashCommand({
    guildId: guild.id,
    channelId: guild.channels.general!,
    userId: guild.members[userId]!,
    name: 'narrate',
    subcommand,
    options,
    ...(group ? { subcommandGroup: group } : {}),
  });
const settings = (options: Options) => command('ada', 'settings', options).reply();
const post = (userId: string, content: string, channel = 'general', silent = false) =>
  world.discord.sendMessage({
    guildId: g.id,
    channelId: g.channels[channel]!,
    authorId: g.members[userId]!,
    content,
    silent,
  });

/** Waits until a text the bot synthesized since `mark` ends with `ending`, and returns it. */
const saidEnding = (mark: number, ending: string): Promise<string> =>
  eventually(() => synthesized(mark).find((t) => t.endsWith(ending)), 20_000, `“${ending}” to be synthesized`);

/**
 * Posts each unread message, then a marker by alice, and checks that only the marker was synthesized: narration
 * handles a guild's messages in order, so once the marker is spoken the others were decided.
 */
async function notRead(posts: (() => void)[], marker: string): Promise<void> {
  const mark = world.dashscope.requests.length;
  for (const send of posts) send();
  post('alice', marker);
  await saidEnding(mark, marker);
  expect(synthesized(mark)).toHaveLength(1);
}

beforeAll(async () => {
  const harbour = standardGuild('Harbour', {
    roles: [
      { name: 'Admin', permissions: Perm.ManageGuild },
      { name: 'Muted', permissions: 0n },
    ],
    members: [
      { username: 'alice', nick: 'Ally', globalName: 'Alice A.' },
      { username: 'bob' },
      { username: 'carl', roles: ['Muted'] },
      { username: 'dora' },
      { username: 'ada', roles: ['Admin'] },
    ],
    voiceStates: [
      { userId: 'alice', channelId: 'Lounge' },
      { userId: 'bob', channelId: 'Lounge' },
      { userId: 'carl', channelId: 'Lounge' },
    ],
    botPermissions: DEFAULT_BOT_PERMISSIONS | Perm.ManageChannels,
  });
  const noStatus = standardGuild('Bare', { botPermissions: DEFAULT_BOT_PERMISSIONS & ~Perm.SetVoiceChannelStatus });
  const started = await startWorld([harbour, noStatus]);
  world = started;
  [g, bare] = started.guilds as [AddedGuild, AddedGuild];
  ({ hear, synthesized } = listener(world, g.id));
  captain = await designVoice(world, g, 'Captain');
  await world.discord
    .slashCommand({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members.ada!,
      name: 'voice',
      subcommand: 'default',
      options: { name: 'Captain' },
    })
    .reply();
  await world.discord
    .slashCommand({ guildId: g.id, channelId: g.channels.general!, userId: g.members.alice!, name: 'join' })
    .reply();
  await world.discord.waitForVoice(g.id, (v) => v.connected);
}, 120_000);
afterAll(() => world?.close(), 30_000);

describe('the voice channel status', () => {
  it('says which chat is read while narrating, and clears when narration stops', async () => {
    const lounge = g.channels.Lounge!;
    await command('ada', 'start').reply();
    await world.discord.waitForVoiceStatus(lounge, (c) => c.status === 'Reading #general');
    await command('ada', 'stop').reply();
    await world.discord.waitForVoiceStatus(lounge, (c) => c.status === null);
    await command('ada', 'start').reply();
    await eventually(() => world.discord.voiceStatus(lounge) === 'Reading #general', 10_000, 'the status again');
    expect(world.discord.voiceStatuses(lounge).map((c) => c.status)).toEqual([
      'Reading #general',
      null,
      'Reading #general',
    ]);
  });

  it('clears when the bot leaves (Manage Channels: needed once not connected) and returns with it', async () => {
    const lounge = g.channels.Lounge!;
    const where = { guildId: g.id, channelId: g.channels.general!, userId: g.members.alice! };
    await world.discord.slashCommand({ ...where, name: 'leave' }).reply();
    await eventually(() => world.discord.voiceStatus(lounge) === null, 10_000, 'the status to clear');
    await world.discord.slashCommand({ ...where, name: 'join' }).reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected);
    await eventually(() => world.discord.voiceStatus(lounge) === 'Reading #general', 10_000, 'the status back');
    expect(world.discord.voiceStatuses(lounge).map((c) => [c.status, c.by])).toEqual([
      ['Reading #general', 'bot'],
      [null, 'bot'],
      ['Reading #general', 'bot'],
      [null, 'bot'],
      ['Reading #general', 'bot'],
    ]);
  });

  it('is logged once, never shown to members, where the bot lacks Set Voice Channel Status', async () => {
    const where = { guildId: bare.id, channelId: bare.channels.general! };
    await world.discord.slashCommand({ ...where, userId: bare.members.alice!, name: 'join' }).reply();
    const started = await command('ada', 'start', {}, undefined, bare).reply();
    expect(started.content).toContain('Reading <#');
    await waitForLog(world.logs, /voice channel status not set \(logged once per server\)/);
    await command('ada', 'stop', {}, undefined, bare).reply();
    await command('ada', 'start', {}, undefined, bare).reply();
    await world.discord.slashCommand({ ...where, userId: bare.members.alice!, name: 'leave' }).reply();
    const warned = world.logs.filter((l) => l.includes('voice channel status not set') && l.includes(bare.id));
    expect(warned).toHaveLength(1);
    expect(world.discord.rest.find('PUT', `/channels/${bare.channels.Lounge}/voice-status`)).toEqual([]);
  });
});

describe('the voice channel’s own chat (text_in_voice)', () => {
  it('is read while the bot is in the call, and heard by the listener', async () => {
    world.discord.clearAudio(g.id);
    const mark = world.dashscope.requests.length;
    post('alice', 'Hello from the call chat.', 'Lounge');
    const text = await saidEnding(mark, 'Hello from the call chat.');
    expect(text).toBe('Ally said: Hello from the call chat.');
    expectUtterance(await hear([[text, captain]]), text, captain);
  });

  it('is not read with text_in_voice off', async () => {
    expect((await settings({ text_in_voice: false })).content).toContain('Voice channel chat: off');
    world.discord.clearAudio(g.id);
    await notRead([() => post('bob', 'Nobody hears this.', 'Lounge')], 'Only the general chat is read.');
    await settings({ text_in_voice: true });
  });
});

describe('how names are said', () => {
  it('a member sets their own reading; Manage Server sets anyone’s; name_source picks the name', async () => {
    const mine = command('alice', 'nickname', { reading: 'Kay' });
    expect((await mine.reply()).content).toBe('Your name is now read aloud as “Kay”.');
    expect(mine.ephemeral()).toBe(true);
    const refused = await command('bob', 'nickname', { reading: 'Boss', member: 'alice' }).reply();
    expect(refused.content).toMatch(/needs the Manage Server permission/);
    const tooLong = await command('bob', 'nickname', { reading: 'x'.repeat(33) }).reply();
    expect(tooLong.content).toMatch(/at most 32 characters/);
    await command('ada', 'nickname', { reading: 'Robert', member: 'bob' }).reply();
    await settings({ name_source: 'username' });

    const mark = world.dashscope.requests.length;
    post('bob', 'Ahoy there.');
    post('alice', 'Ahoy yourself.');
    await saidEnding(mark, 'Ahoy yourself.');
    await command('ada', 'nickname', { member: 'bob' }).reply(); // bob's reading removed: his username is said
    post('bob', 'Aye.');
    await saidEnding(mark, 'Aye.');
    expect(synthesized(mark)).toEqual(['Robert said: Ahoy there.', 'Kay said: Ahoy yourself.', 'bob said: Aye.']);
  });
});

describe('who is read', () => {
  it('not ignored roles and members, until they are removed; the list shows them', async () => {
    expect((await command('bob', 'add', { who: 'Muted' }, 'ignore').reply()).content).toMatch(/Manage Server/);
    const added = await command('ada', 'add', { who: 'Muted' }, 'ignore').reply();
    expect(added.content).toBe(
      `<@&${g.roles.Muted}> members are no longer read aloud. /narrate ignore remove undoes it.`,
    );
    expect(added.allowedMentions).toEqual({ parse: [] });
    await command('ada', 'add', { who: 'bob' }, 'ignore').reply();
    const twice = await command('ada', 'add', { who: 'bob' }, 'ignore').reply();
    expect(twice.content).toMatch(/already not read/);
    const list = (await command('carl', 'list', {}, 'ignore').reply()).content;
    expect(list).toContain(`Roles: <@&${g.roles.Muted}>`);
    expect(list).toContain(`Members: <@${g.members.bob}>`);
    await notRead([() => post('carl', 'I am muted.'), () => post('bob', 'I am ignored.')], 'Still here.');
    await command('ada', 'remove', { who: 'bob' }, 'ignore').reply();
    const mark = world.dashscope.requests.length;
    post('bob', 'Back again.');
    expect(await saidEnding(mark, 'Back again.')).toContain('Back again.');
  });

  it('not a member who opted out, until they opt in', async () => {
    const out = command('alice', 'optout');
    expect((await out.reply()).content).toMatch(/^Your messages are not read aloud in this server/);
    const mark = world.dashscope.requests.length;
    post('alice', 'Secret plans.');
    post('bob', 'Did alice say something?');
    await saidEnding(mark, 'Did alice say something?');
    expect(synthesized(mark).some((t) => t.includes('Secret plans'))).toBe(false);
    await command('alice', 'optin').reply();
  });

  it('not messages starting with the skip prefix, nor @silent ones unless read_silent is on', async () => {
    expect((await settings({ skip_prefix: 'two words' })).content).toMatch(/without spaces/);
    expect((await settings({ skip_prefix: '!' })).content).toContain('Skip prefix: `!`');
    await notRead([() => post('bob', '!note to self'), () => post('bob', 'Shh.', 'general', true)], 'Over here.');
    await settings({ read_silent: true, skip_prefix: 'none' });
    const mark = world.dashscope.requests.length;
    post('bob', 'Quiet words.', 'general', true);
    post('bob', '!Now read');
    await saidEnding(mark, 'Now read');
    expect(synthesized(mark).some((t) => t.endsWith('Quiet words.'))).toBe(true);
  });
});

describe('join announcements (announce_joins)', () => {
  it('says who joined and left the call, in the server’s voice', async () => {
    await settings({ announce_joins: true });
    const mark = world.dashscope.requests.length;
    world.discord.setVoiceState(g.id, g.members.dora!, g.channels.Lounge!);
    await saidEnding(mark, 'dora joined the call');
    world.discord.setVoiceState(g.id, g.members.dora!, null);
    await saidEnding(mark, 'dora left the call');
    expect(synthesized(mark)).toEqual(['dora joined the call', 'dora left the call']);
  });
});

describe('after a restart', () => {
  it('keeps every setting and list on SQLite; the status is cleared on the way out', async () => {
    await world.stopBot();
    expect(world.discord.voiceStatus(g.channels.Lounge!)).toBeNull();
    await world.startBot();
    const shown = (await command('carl', 'settings').reply()).content;
    expect(shown).toContain('Names from: username');
    expect(shown).toContain('Read @silent messages: on');
    expect(shown).toContain('Announce joins: on');
    expect((await command('carl', 'list', {}, 'ignore').reply()).content).toContain(`<@&${g.roles.Muted}>`);
    const kept = await command('alice', 'nickname').reply();
    expect(kept.content).toBe('Your name is read as written again (it was read as “Kay”).');
  });
});
