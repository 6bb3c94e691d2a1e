/**
 * End to end: the bot as TWO real processes (`node src/main.ts`, shards 0 and 1 of 2) on one real Redis,
 * against the sharded loopback Discord — each guild served and spoken in by its own shard's process, a
 * process killed mid-utterance and restarted losing nothing, the other one speaking on.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { billableChars } from '../../src/dashscope/billing.ts';
import { runCli } from '../cli/run.ts';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { shardOf, snowflakeOnShard } from '../emulators/discord/shards.ts';
import { buttonId, designVoice, eventually, standardGuild } from './harness.ts';
import { type BotProcess, botProcess, type Emulators, freshRedisDb, shardGone, startEmulators } from './processes.ts';

const REDIS_DB = 11;
const LONG = 'The tide is turning, friends, and the old ship is ready to sail across the bay tonight.';

let emu: Emulators;
let bots: [BotProcess, BotProcess];
let harbour: AddedGuild; // shard 0
let citadel: AddedGuild; // shard 1
const voiceIds: Record<string, string> = {};

const command = (g: AddedGuild, name: string, options: Record<string, string> = {}, subcommand?: string) =>
  emu.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members.ada!,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });
const listed = async (g: AddedGuild): Promise<string> => (await command(g, 'voice', {}, 'list').reply()).content;
/** Lines the process logged as spoken, by guild id. */
const spokenIn = (bot: BotProcess, g: AddedGuild): number =>
  bot.logs.filter((l) => l.includes('"msg":"spoken"') && l.includes(`"guildId":"${g.id}"`)).length;
const usage = async (g: AddedGuild): Promise<{ designs: number; chars: number }> => {
  const run = await runCli(['usage', '--guild', g.id, '--json'], emu.env);
  if (run.code !== 0) throw new Error(`voicebot usage failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { designs: number; chars: number };
};
/** `/say` as ada (in the Lounge) and the audio the guild's listener decrypted. */
async function say(g: AddedGuild, text: string): Promise<void> {
  emu.discord.clearAudio(g.id);
  expect((await command(g, 'say', { text }).reply(15_000)).content).toMatch(/Speaking as|[Qq]ueued/);
}

beforeAll(async () => {
  const storeUrl = await freshRedisDb(inject('redisUrl'), REDIS_DB);
  emu = await startEmulators({ STORE_URL: storeUrl, IDLE_LEAVE_SECONDS: '60' }, { recommendedShards: 2 });
  const inLounge = { voiceStates: [{ userId: 'ada', channelId: 'Lounge' }] };
  harbour = emu.discord.addGuild(standardGuild('Harbour', { id: snowflakeOnShard(0, 2), ...inLounge }));
  citadel = emu.discord.addGuild(standardGuild('Citadel', { id: snowflakeOnShard(1, 2), ...inLounge }));
  bots = [botProcess(emu, 0, 2), botProcess(emu, 1, 2)];
  await Promise.all(bots.map((b) => b.start()));
}, 120_000);
afterAll(async () => {
  await Promise.all(bots?.map((b) => b.signal('SIGTERM')) ?? []);
  await emu?.close();
}, 60_000);

describe('two shard processes on one Redis', () => {
  it('each process identifies its own shard and gets only its guilds', () => {
    expect([shardOf(harbour.id, 2), shardOf(citadel.id, 2)]).toEqual([0, 1]);
    expect(
      emu.discord.gateway
        .liveShards()
        .map(([id, count]) => `${id}/${count}`)
        .sort(),
    ).toEqual(['0/2', '1/2']);
    expect(bots[0].logs.find((l) => l.includes('"msg":"ready"'))).toMatch(/"guilds":1\b/);
    expect(bots[1].logs.find((l) => l.includes('"msg":"ready"'))).toMatch(/"guilds":1\b/);
    expect(emu.discord.gateway.duplicateIdentifies).toBe(0);
  });

  it('a voice designed through shard 0’s guild is listed, spoken and deleted there only', async () => {
    voiceIds.captain = await designVoice(emu, harbour, 'Captain', 'ada');
    expect(await listed(harbour)).toMatch(/Captain/);
    expect(await listed(citadel)).not.toMatch(/Captain/);
    await command(harbour, 'voice', { name: 'Captain' }, 'use').reply();
    await say(harbour, 'Ahoy there, friends.');
    const tone = expectedTone('Ahoy there, friends.', voiceIds.captain!);
    const audio = await emu.discord.waitForAudio(harbour.id, { minMs: tone.durationMs - 100, timeoutMs: 20_000 });
    expect(Math.abs(audio.durationMs - tone.durationMs)).toBeLessThanOrEqual(100);
    expect(emu.discord.listener(harbour.id, harbour.members.ada!)?.decrypted).toBeGreaterThan(0);
    await eventually(() => spokenIn(bots[0], harbour) === 1, 10_000, 'shard 0’s process to log the utterance');
    expect(spokenIn(bots[1], harbour)).toBe(0);

    await designVoice(emu, harbour, 'Ghost', 'ada');
    const asked = command(harbour, 'voice', { name: 'Ghost' }, 'delete');
    const prompt = await asked.reply();
    const ghostId = [...emu.dashscope.voices.values()].find((v) => v.voicePrompt.includes('Ghost'))!.voice;
    await emu.discord
      .clickButton({
        guildId: harbour.id,
        channelId: harbour.channels.general!,
        userId: harbour.members.ada!,
        messageId: prompt.id,
        customId: buttonId(prompt, 'Delete Ghost'),
      })
      .callback();
    // The click is answered by editing the prompt once the voice is gone at DashScope (design calls wait for the
    // account budget), so wait for that edit rather than for a quiet moment.
    await eventually(
      () => /Deleted \*\*Ghost\*\*/.test(asked.original()?.content ?? ''),
      10_000,
      'the delete to be confirmed',
    );
    expect(emu.dashscope.voices.has(ghostId)).toBe(false);
    expect(await listed(harbour)).not.toMatch(/Ghost/);
    expect(await listed(harbour)).toMatch(/Captain/);
  }, 60_000);

  it('each guild is spoken in by its own shard’s process, both at once', async () => {
    voiceIds.warden = await designVoice(emu, citadel, 'Warden', 'ada');
    await command(citadel, 'voice', { name: 'Warden' }, 'use').reply();
    const before = [spokenIn(bots[0], harbour), spokenIn(bots[1], citadel)];
    await Promise.all([say(harbour, 'Fair winds to you.'), say(citadel, 'The gates are shut.')]);
    await Promise.all(
      [harbour, citadel].map((g) => emu.discord.waitForAudio(g.id, { untilIdle: true, timeoutMs: 20_000 })),
    );
    await eventually(
      () => spokenIn(bots[0], harbour) > before[0]! && spokenIn(bots[1], citadel) > before[1]!,
      10_000,
      'both processes to log their utterance',
    );
    expect([spokenIn(bots[1], harbour), spokenIn(bots[0], citadel)]).toEqual([0, 0]);
    expect(emu.discord.listener(citadel.id, citadel.members.ada!)?.decrypted).toBeGreaterThan(0);
  }, 60_000);

  it('shard 1 SIGKILLed mid-utterance and restarted loses no registry entry or budget record', async () => {
    const before = await usage(citadel);
    await say(citadel, LONG);
    await emu.discord.waitForAudio(citadel.id, { minMs: 300, timeoutMs: 15_000 });
    expect(await bots[1].signal('SIGKILL')).toBeNull();
    await shardGone(emu.discord, 1);

    await say(harbour, 'Still here, still speaking.');
    const heard = await emu.discord.waitForAudio(harbour.id, { untilIdle: true, timeoutMs: 20_000 });
    expect(heard.durationMs).toBeGreaterThan(500);

    const afterKill = await usage(citadel);
    expect(afterKill.designs).toBe(before.designs);
    expect(afterKill.chars).toBeGreaterThanOrEqual(before.chars + billableChars(LONG));

    const restartedAt = bots[1].logs.length;
    await bots[1].start();
    expect(emu.discord.gateway.duplicateIdentifies).toBe(0);
    expect(await listed(citadel)).toMatch(/Warden/);
    expect(await usage(citadel)).toEqual(afterKill);
    await say(citadel, 'Back at my post.');
    const again = await emu.discord.waitForAudio(citadel.id, { untilIdle: true, timeoutMs: 20_000 });
    expect(again.durationMs).toBeGreaterThan(500);
    const spokenSince = () =>
      bots[1].logs.slice(restartedAt).filter((l) => l.includes('"msg":"spoken"') && l.includes(citadel.id)).length;
    await eventually(() => spokenSince() > 0, 10_000, 'the restarted process to speak');
  }, 120_000);
});
