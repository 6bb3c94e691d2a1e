/**
 * End to end: DashScope's account-wide session limit through the real bot (`npm start`) and both loopback
 * servers. The DashScope emulator refuses handshakes with 429 `Throttling.RateQuota` while a test holds its
 * limit shut; the bot waits (bounded), lets `/say` go before narration, and reports an over-long wait once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionLimitStats } from '../emulators/dashscope/session-limit.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, eventually, standardGuild, startWorld, waitForLog } from './harness.ts';

let world: BotWorld;
let harbour: AddedGuild;
let cove: AddedGuild;
const voices: Record<string, string> = {};

const where = (g: AddedGuild, userId = 'alice') => ({
  guildId: g.id,
  channelId: g.channels.general!,
  userId: g.members[userId]!,
});
const command = (g: AddedGuild, name: string, options: Record<string, string> = {}, subcommand?: string) =>
  world.discord.slashCommand({ ...where(g), name, options, ...(subcommand ? { subcommand } : {}) });
const post = (g: AddedGuild, content: string) =>
  world.discord.sendMessage({ guildId: g.id, channelId: g.channels.general!, authorId: g.members.alice!, content });
/** Voices of the sessions DashScope set up (`session.update`) since request number `mark`, in order. */
const sessionVoices = (mark: number): string[] =>
  world.dashscope.requests
    .slice(mark)
    .filter((r) => r.action === 'session.update')
    .map((r) => (r.body as { session: { voice: string } }).session.voice);
/** Refuses every new realtime session with 429 until {@link reopen}. */
const shut = (): void =>
  void Object.assign(world.dashscope.ctx.options.sessionLimit, { perMinute: 1, windowMs: 600_000 });
const reopen = (): void => void Object.assign(world.dashscope.ctx.options.sessionLimit, { perMinute: 0 });

beforeAll(async () => {
  const started = await startWorld([standardGuild('Harbour'), standardGuild('Cove')], {
    DASHSCOPE_SESSIONS_PER_MINUTE: '60',
    DASHSCOPE_SESSIONS_PER_SECOND: '1',
    DASHSCOPE_LIMIT_MAX_WAIT_SECONDS: '20',
  });
  world = started;
  [harbour, cove] = started.guilds as [AddedGuild, AddedGuild];
  for (const name of ['Captain', 'Mate', 'Bosun']) voices[name] = await designVoice(world, harbour, name);
  voices.Cook = await designVoice(world, cove, 'Cook');
  await command(cove, 'voice', { name: 'Cook' }, 'use').reply();
  await world.discord.slashCommand({ ...where(cove, 'ada'), name: 'narrate', subcommand: 'start' }).reply();
  for (const g of [harbour, cove]) {
    await command(g, 'join').reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected);
  }
  await command(harbour, 'say', { text: 'All hands.', voice: 'Captain' }).reply();
  await world.discord.waitForAudio(harbour.id, { untilIdle: true, timeoutMs: 20_000 });
}, 120_000);
afterAll(() => world?.close(), 30_000);

describe('the account-wide session limit', () => {
  it('holds narration and a /say behind 429s, then speaks the /say first and both in full', async () => {
    world.discord.clearAudio(harbour.id);
    world.discord.clearAudio(cove.id);
    const mark = world.dashscope.requests.length;
    const logMark = world.logs.length;
    shut();
    const refusedBefore = sessionLimitStats(world.dashscope.ctx).refusedRate;
    post(cove, 'The stew is ready, come and get it.');
    await eventually(() => sessionLimitStats(world.dashscope.ctx).refusedRate > refusedBefore, 10_000, 'a 429');
    await command(harbour, 'say', { text: 'Raise the anchor.', voice: 'Mate' }).reply();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sessionVoices(mark)).toEqual([]);
    reopen();
    await world.discord.waitForAudio(harbour.id, { minMs: 800, untilIdle: true, timeoutMs: 30_000 });
    await world.discord.waitForAudio(cove.id, { minMs: 1_500, untilIdle: true, timeoutMs: 30_000 });
    expect(sessionVoices(mark)).toEqual([voices.Mate, voices.Cook]);
    const spoken = await waitForLog(world.logs, new RegExp(`"voice":"${voices.Mate}".*"msg":"spoken"`), 5_000, logMark);
    expect(JSON.parse(spoken).limiterWaitMs).toBeGreaterThan(1_000);
    const failures = world.discord
      .channelMessages(harbour.channels.general!)
      .concat(world.discord.channelMessages(cove.channels.general!))
      .filter((m) => m.content.startsWith('Could not say that'));
    expect(failures).toEqual([]);
  }, 60_000);

  it('reports a /say that would wait past the bound once, in its channel, and says nothing', async () => {
    world.discord.clearAudio(harbour.id);
    const mark = world.dashscope.requests.length;
    shut();
    try {
      await command(harbour, 'say', { text: 'Nobody will hear this.', voice: 'Bosun' }).reply();
      const notice = await world.discord.waitForChannelMessage(
        harbour.channels.general!,
        (m) => m.content.startsWith('Could not say that'),
        40_000,
      );
      expect(notice.content).toMatch(
        /^Could not say that as \*\*Bosun\*\*: The voice service allows 60 new voice sessions a minute .* over 20 s\./,
      );
      expect(notice.allowedMentions).toEqual({ parse: [] });
    } finally {
      reopen();
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const notices = world.discord
      .channelMessages(harbour.channels.general!)
      .filter((m) => m.content.startsWith('Could not say that'));
    expect(notices).toHaveLength(1);
    expect(sessionVoices(mark)).toEqual([]);
    expect(world.discord.voice(harbour.id).packets.filter((p) => !p.silence)).toEqual([]);
  }, 60_000);
});
