/**
 * A join that outlasts Discord's 3 s for a first answer (the voice server is allocated late, or the gateway's
 * send limit holds the join) is deferred, then answered: never "The application did not respond".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallbackType, EPHEMERAL_FLAG, LOADING_FLAG } from '../emulators/discord/interactionRecord.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, standardGuild, startWorld } from './harness.ts';

/** Longer than the 3 s Discord gives a first answer. */
const VOICE_SERVER_DELAY_MS = 4_000;

let world: BotWorld & { guilds: AddedGuild[] };
beforeAll(async () => {
  world = await startWorld(
    [
      standardGuild('Harbour'),
      standardGuild('Cove'),
      standardGuild('Reef', { voiceStates: [{ userId: 'ada', channelId: 'Lounge' }] }),
    ],
    {},
    { voiceServerDelayMs: VOICE_SERVER_DELAY_MS },
  );
}, 120_000);
afterAll(() => world?.close(), 30_000);

const where = (g: AddedGuild, user = 'alice') => ({
  guildId: g.id,
  channelId: g.channels.general!,
  userId: g.members[user]!,
});

describe('a slow voice join', () => {
  it('/join defers (only for the member), then says it joined', async () => {
    const harbour = world.guilds[0]!;
    const asked = world.discord.slashCommand({ ...where(harbour), name: 'join' });
    const callback = await asked.callback(10_000);
    expect(callback.type).toBe(CallbackType.DeferredChannelMessage);
    expect(Number(callback.data?.flags ?? 0) & EPHEMERAL_FLAG).toBe(EPHEMERAL_FLAG);
    const reply = await asked.reply(20_000);
    expect(reply.content).toBe(`Joined <#${harbour.channels.Lounge}>.`);
    expect(reply.flags & LOADING_FLAG).toBe(0);
    expect(world.discord.voice(harbour.id).connected).toBe(true);
  }, 30_000);

  it('/say defers, answers, and is heard once the bot is in', async () => {
    const cove = world.guilds[1]!;
    await designVoice(world, cove, 'Captain');
    const asked = world.discord.slashCommand({
      ...where(cove),
      name: 'say',
      options: { text: 'Ahoy there.', voice: 'Captain' },
    });
    expect((await asked.callback(10_000)).type).toBe(CallbackType.DeferredChannelMessage);
    expect((await asked.reply(20_000)).content).toBe('Speaking as **Captain**.');
    const audio = await world.discord.waitForAudio(cove.id, { timeoutMs: 20_000 });
    expect(audio.frames).toBeGreaterThan(0);
  }, 60_000);

  it('/narrate start defers in public, as its answer is public', async () => {
    const reef = world.guilds[2]!;
    const asked = world.discord.slashCommand({ ...where(reef, 'ada'), name: 'narrate', subcommand: 'start' });
    const callback = await asked.callback(10_000);
    expect(callback.type).toBe(CallbackType.DeferredChannelMessage);
    expect(Number(callback.data?.flags ?? 0) & EPHEMERAL_FLAG).toBe(0);
    expect((await asked.reply(20_000)).content).toMatch(/^Reading <#\d+> aloud in <#\d+>/);
  }, 30_000);
});
