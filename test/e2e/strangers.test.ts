/**
 * End to end, as a stranger on a public server would try it: what a member can make the bot spend, where they
 * can make it speak, what it shows of their text, and what it logs. Through the real bot (`npm start`) and both
 * loopback emulators.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import { type AddedGuild, Perm } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, eventually, standardGuild, startWorld } from './harness.ts';

let world: BotWorld;
let g: AddedGuild;
let captain: string;

/** 1,000 characters in whole sentences, as a member might paste. */
const THOUSAND = (() => {
  const sentences = ['The ship sails at dawn across the bay.', 'Gulls cry over the harbour wall.'];
  let text = '';
  for (let i = 0; ; i++) {
    const next = `${text}${text === '' ? '' : ' '}${sentences[i % 2]}`;
    if (next.length > 1_000) return text.padEnd(1_000, '.');
    text = next;
  }
})();
const PER_MINUTE = 2_000;

const command = (name: string, userId: string, options: Record<string, string> = {}, subcommand?: string) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members[userId]!,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });
const reply = async (name: string, userId: string, options: Record<string, string> = {}): Promise<string> =>
  (await command(name, userId, options).reply(15_000)).content;
/** Characters the bot has sent DashScope for synthesis since request number `mark`. */
const sentSince = (mark: number): number =>
  world.dashscope.requests
    .slice(mark)
    .filter((r) => r.action === 'input_text_buffer.append')
    .reduce((sum, r) => sum + [...(r.body as { text: string }).text].length, 0);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quiet = () => world.discord.waitForAudio(g.id, { untilIdle: true, timeoutMs: 30_000 });

/** /say of 1,000 characters by `userId`, then `end` after 1 s of audio; returns the characters sent. */
async function spentStopping(userId: string, end: () => Promise<string>, expected: RegExp): Promise<number> {
  const mark = world.dashscope.requests.length;
  expect(await reply('say', userId, { text: THOUSAND })).toMatch(/^(Speaking|Queued) as/);
  await world.discord.waitForAudio(g.id, { minMs: 1_000, timeoutMs: 15_000 });
  expect(await end()).toMatch(expected);
  await settle(1_500);
  return sentSince(mark);
}

beforeAll(async () => {
  const guild = standardGuild('Harbour', {
    channels: [
      { type: 'text', name: 'general' },
      { type: 'voice', name: 'Lounge' },
      {
        type: 'voice',
        name: 'Staff',
        permissionOverwrites: [
          { id: '@everyone', deny: Perm.ViewChannel | Perm.Connect },
          { id: 'Staff', allow: Perm.ViewChannel | Perm.Connect },
        ],
      },
    ],
    roles: [
      { name: 'Admin', permissions: Perm.ManageGuild },
      { name: 'Staff', permissions: 0n },
      { name: 'Mod', permissions: Perm.MoveMembers },
    ],
    members: [
      { username: 'alice' },
      { username: 'bob' },
      { username: 'ada', roles: ['Admin'] },
      { username: 'carol', roles: ['Staff'] },
      { username: 'mo', roles: ['Mod'] },
      { username: 'dave' },
      { username: 'eve' },
    ],
    voiceStates: [
      { userId: 'alice', channelId: 'Lounge' },
      { userId: 'dave', channelId: 'Lounge' },
      { userId: 'eve', channelId: 'Lounge' },
    ],
    botRoles: ['Staff'],
  });
  const started = await startWorld([guild], { MEMBER_CHARS_PER_MINUTE: String(PER_MINUTE) });
  world = started;
  g = started.guilds[0]!;
  captain = await designVoice(world, g, 'Captain');
  await command('voice', 'ada', { name: 'Captain' }, 'default').reply();
}, 90_000);
afterAll(() => world?.close(), 30_000);
beforeEach(() => world.discord.clearAudio(g.id));

describe('pay only for what is spoken', () => {
  it('/say of 1,000 characters, /skip after 1 s of audio: at most 250 characters sent', async () => {
    expect([...THOUSAND].length).toBe(1_000);
    const sent = await spentStopping('alice', () => reply('skip', 'alice'), /^Skipped\.$/);
    console.log(`[figure] /say 1000 chars + /skip after 1 s of audio: ${sent} characters sent`);
    expect(sent).toBeLessThanOrEqual(250);
  });

  it('/stop after 1 s: at most 250 characters sent', async () => {
    const sent = await spentStopping('dave', () => reply('stop', 'dave'), /^Stopped/);
    console.log(`[figure] /say 1000 chars + /stop after 1 s of audio: ${sent} characters sent`);
    expect(sent).toBeLessThanOrEqual(250);
  });

  it('/leave (by a moderator, from outside the call) after 1 s: at most 250 characters sent', async () => {
    const sent = await spentStopping('dave', () => reply('leave', 'mo'), /^Left the voice channel\.$/);
    console.log(`[figure] /say 1000 chars + /leave after 1 s of audio: ${sent} characters sent`);
    expect(sent).toBeLessThanOrEqual(250);
  });

  it('plays a long /say whole and without a gap, though it goes out a piece at a time', async () => {
    const text = THOUSAND.slice(0, 284).trim();
    const mark = world.dashscope.requests.length;
    await reply('say', 'alice', { text });
    const audio = await quiet();
    const pieces = world.dashscope.requests
      .slice(mark)
      .filter((r) => r.action === 'input_text_buffer.append')
      .map((r) => (r.body as { text: string }).text);
    expect(pieces.length).toBeGreaterThanOrEqual(3);
    expect(pieces.join('')).toBe(text);
    const expectedMs = pieces.reduce((sum, piece) => sum + expectedTone(piece.trim(), captain).durationMs, 0);
    expect(Math.abs(audio.durationMs - expectedMs)).toBeLessThanOrEqual(20 * pieces.length + 40);
    expect(world.discord.audioSegments(g.id, Number.POSITIVE_INFINITY)).toHaveLength(1); // no underrun between pieces
  });

  it('refuses a member past their characters per minute, with the reason', async () => {
    // alice has said 1,000 + 284 characters this minute
    expect(await reply('say', 'alice', { text: THOUSAND })).toMatch(
      new RegExp(`used your ${PER_MINUTE} characters for this minute; try again in \\d+ s`),
    );
    await settle(1_000);
    expect(world.discord.audio(g.id).durationMs).toBe(0);
  });

  it('deleting a narrated message after 1 s of its audio stops its spend', async () => {
    await reply('join', 'eve');
    await world.discord.waitForVoice(g.id, (v) => v.connected);
    await command('narrate', 'ada', {}, 'start').reply();
    const mark = world.dashscope.requests.length;
    const where = { guildId: g.id, channelId: g.channels.general!, authorId: g.members.eve! };
    const message = world.discord.sendMessage({ ...where, content: THOUSAND.slice(0, 290) });
    await world.discord.waitForAudio(g.id, { minMs: 1_000, timeoutMs: 15_000 });
    world.discord.deleteMessage(message.id);
    await settle(1_500);
    const sent = sentSince(mark);
    console.log(`[figure] narrated message of 290 chars deleted after 1 s of audio: ${sent} characters sent`);
    expect(sent).toBeLessThanOrEqual(150);
    await command('narrate', 'ada', {}, 'stop').reply();
  });

  it('lets no member hold more than half the queue', async () => {
    const line = (i: number) => `Line number ${i} of a long list of things that eve wants said aloud.`;
    const answers: string[] = [];
    for (let i = 1; i <= 11; i++) answers.push(await reply('say', 'eve', { text: line(i) }));
    expect(answers.slice(0, 10).every((a) => /^(Speaking|Queued) as/.test(a))).toBe(true);
    expect(answers[10]).toMatch(/You already have 10 things to say in the queue; let others speak first/);
    expect(await reply('say', 'mo', { text: 'Me too.' })).toMatch(/^Queued as/); // others still have room
    await reply('stop', 'eve');
    await quiet();
  });
});

describe('only members in the call make it speak, move, stop or leave', () => {
  it('refuses /say, /skip, /stop and /leave from a member outside the call, naming the call', async () => {
    await reply('join', 'alice');
    await world.discord.waitForVoice(g.id, (v) => v.connected);
    await settle(300);
    world.discord.clearAudio(g.id);
    const mark = world.dashscope.requests.length;
    for (const name of ['say', 'skip', 'stop', 'leave']) {
      const options: Record<string, string> = name === 'say' ? { text: 'I am not even there.' } : {};
      expect(await reply(name, 'bob', options)).toMatch(
        new RegExp(`is for members in the call: join <#${g.channels.Lounge}> first`),
      );
    }
    await settle(500);
    expect(sentSince(mark)).toBe(0);
    expect(world.discord.audio(g.id).durationMs).toBe(0);
    expect(world.discord.voice(g.id).channelId).toBe(g.channels.Lounge);
  });

  it('refuses /join to a channel the member cannot see or join, naming the permissions', async () => {
    expect(await reply('join', 'bob', { channel: g.channels.Staff! })).toMatch(
      /You can’t bring me to Staff: you’re missing the View Channel and Connect permissions there/,
    );
    expect(world.discord.voice(g.id).channelId).toBe(g.channels.Lounge);
  });

  it('lets Move Members act from anywhere, and a member with access bring the bot to a private channel', async () => {
    expect(await reply('leave', 'mo')).toBe('Left the voice channel.');
    await world.discord.waitForVoice(g.id, (v) => v.channelId === null);
    expect(await reply('join', 'carol', { channel: g.channels.Staff! })).toBe(`Joined <#${g.channels.Staff}>.`);
    await world.discord.waitForVoice(g.id, (v) => v.channelId === g.channels.Staff);
    expect(await reply('say', 'eve', { text: 'Can you hear me in there?' })).toMatch(/is for members in the call/);
    expect(await reply('leave', 'ada')).toBe('Left the voice channel.');
  });
});

describe('nothing member-written is rendered, nothing secret logged', () => {
  it('shows a voice description as typed, never as a link', async () => {
    const description = '[FREE NITRO](https://free-nitro.example/claim) **now**, @everyone';
    const designed = await command('voice', 'ada', { name: 'Nitro', description }, 'design').reply(15_000);
    expect(designed.content).toContain(
      '\\[FREE NITRO](https\\://free-nitro.example/claim) \\*\\*now\\*\\*, \\@everyone',
    );
    expect(designed.content).not.toMatch(/(?<!\\)\[FREE NITRO\]\(https:\/\//);
    expect(designed.allowedMentions).toEqual({ parse: [] });
  });

  it('takes Cyrillic “Аda” for the Latin “Ada” it looks like, before anything is paid', async () => {
    await designVoice(world, g, 'Ada', 'alice');
    const creates = () => world.dashscope.requests.filter((r) => r.action === 'create').length;
    const before = creates();
    const refused = await command('voice', 'bob', { name: '\u0410da', description: 'A look-alike.' }, 'design').reply(
      15_000,
    );
    expect(refused.content).toMatch(/already has a voice named/);
    expect(creates()).toBe(before);
  });

  it('never logs an interaction token, even in the URL of a failed callback', async () => {
    world.discord.rest.fail({ method: 'POST', path: /\/interactions\/\d+\/[^/]+\/callback/, status: 400, times: 2 });
    const handle = command('voice', 'alice', {}, 'list');
    await eventually(() => world.logs.some((l) => l.includes('/callback')), 10_000, 'the failed callback in the logs');
    await settle(300);
    expect(handle.token.length).toBeGreaterThan(20);
    expect(world.logs.filter((l) => l.includes(handle.token))).toEqual([]);
    expect(world.logs.some((l) => l.includes('/[secret]/callback'))).toBe(true);
  });
});
