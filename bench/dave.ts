#!/usr/bin/env node
/**
 * What DAVE costs a `/say`: from the loopback Discord dispatching the interaction to the first audible
 * frame at alice, a listening member in the call — DAVE-decrypted when the call is end-to-end
 * encrypted (protocol version 1), transport-only when DAVE is off (version 0). Both in this run,
 * alternating so drift on this shared machine hits both alike.
 */
import { Writable } from 'node:stream';
import { type Bot, startBot } from '../src/bot.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';
import { type AddedGuild, type DiscordEmulator, startDiscordEmulator } from '../test/emulators/discord/server.ts';

const RUNS = Number(process.env.RUNS ?? 50);
const TEXT = 'Ahoy there, friends, the tide is turning.';

interface World {
  discord: DiscordEmulator;
  dashscope: DashScopeEmulator;
  guild: AddedGuild;
  bot: Bot;
}

async function startWorld(daveVersion: 0 | 1): Promise<World> {
  const discord = await startDiscordEmulator({ daveVersion });
  const dashscope = await startDashScopeEmulator({
    realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 0, handshakeDelayMs: 0 },
  });
  const guild = discord.addGuild({
    channels: [
      { type: 'text', name: 'general' },
      { type: 'voice', name: 'Lounge' },
    ],
    members: [{ username: 'alice' }],
    voiceStates: [{ userId: 'alice', channelId: 'Lounge' }],
  });
  discord.trustInProcess();
  const config = loadConfig(
    {
      DISCORD_TOKEN: discord.token,
      DISCORD_REST_URL: discord.restUrl,
      DASHSCOPE_API_KEY: dashscope.apiKey,
      DASHSCOPE_BASE_URL: dashscope.baseUrl,
      DASHSCOPE_REALTIME_URL: dashscope.realtimeUrl,
      STORE_URL: 'memory://',
    },
    { discord: true },
  );
  const quiet = createLogger('error', new Writable({ write: (_c, _e, done) => done() }));
  const bot = await startBot(config, quiet);
  await discord.gateway.waitForBot(15_000);
  const { voice } = await bot.app.library.design(guild.id, {
    description: 'A bench voice.',
    previewText: 'Hello from the bench voice.',
    preferredName: 'bench',
    createdBy: 'bench',
  });
  await bot.app.preferences.setMemberVoice(guild.id, guild.members.alice!, voice.voiceId);
  const world = { discord, dashscope, guild, bot };
  await measure(world); // warm-up: joins the channel (and, with DAVE, forms the MLS group)
  return world;
}

/** ms from the interaction to the first audible frame alice heard. */
async function measure({ discord, guild }: World): Promise<number> {
  discord.clearAudio(guild.id);
  const where = { guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.alice! };
  const say = discord.slashCommand({ ...where, name: 'say', options: { text: TEXT } });
  const audio = await discord.waitForAudio(guild.id, { timeoutMs: 15_000 });
  await discord.slashCommand({ ...where, name: 'stop' }).reply();
  await discord.waitForAudio(guild.id, { untilIdle: true, timeoutMs: 15_000 });
  return audio.firstAt! - say.dispatchedAt;
}

async function stop(world: World): Promise<void> {
  await world.bot.stop();
  await world.discord.close();
  await world.dashscope.close();
}

const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
const withDave = await startWorld(1);
const without = await startWorld(0);
const samples = { dave: [] as number[], plain: [] as number[] };
for (let i = 0; i < RUNS; i++) {
  samples.dave.push(await measure(withDave));
  samples.plain.push(await measure(without));
}
const alice = (w: World) => w.discord.listener(w.guild.id, w.guild.members.alice!)!;
const [d, p] = [alice(withDave), alice(without)];
await stop(withDave);
await stop(without);
const [d50, d95, p50, p95] = [
  percentile(samples.dave, 50),
  percentile(samples.dave, 95),
  percentile(samples.plain, 50),
  percentile(samples.plain, 95),
];
console.log(`/say → first audible frame at a listening member, ${RUNS} runs each, alternating (ms)`);
console.log(
  `  DAVE v1 (decrypted by the listener)  p50 ${d50.toFixed(1)}  p95 ${d95.toFixed(1)}  · frames decrypted ` +
    `${d.decrypted}, failed ${d.failed}`,
);
console.log(
  `  DAVE off (transport only)            p50 ${p50.toFixed(1)}  p95 ${p95.toFixed(1)}  · frames passthrough ` +
    `${p.passthrough}`,
);
console.log(`  DAVE cost at p50 ${(d50 - p50).toFixed(1)} ms (target < 5), at p95 ${(d95 - p95).toFixed(1)} ms`);
process.exit(0);
