#!/usr/bin/env node
/**
 * End-to-end latency of `/say`: from the loopback Discord dispatching the interaction to the first audio
 * packet it receives from the bot, with DashScope's first packet after 0 ms and after a realistic 500 ms.
 * The baseline is the same path with the engine wrapped to synthesize fully before playing, as bots that
 * fetch a finished audio file do. Both run in this process against the same emulators.
 */
import { Writable } from 'node:stream';
import { type Bot, startBot } from '../src/bot.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import type { Synthesis, TtsEngine } from '../src/tts/engine.ts';
import { startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';
import { type AddedGuild, type DiscordEmulator, startDiscordEmulator } from '../test/emulators/discord/server.ts';

const RUNS = Number(process.env.RUNS ?? 50);
const TEXT = 'Ahoy there, friends, the tide is turning.';
const DELAYS_MS = [0, 500];

/** The baseline: collect the whole utterance, then hand it to the player. */
function synthesizeFullyFirst(engine: TtsEngine): TtsEngine {
  return {
    close: () => engine.close(),
    synthesize(req, signal): Synthesis {
      const inner = engine.synthesize(req, signal);
      return {
        get metrics() {
          return inner.metrics;
        },
        async *[Symbol.asyncIterator]() {
          const all: Buffer[] = [];
          for await (const chunk of inner) all.push(chunk);
          yield* all;
        },
      };
    },
  };
}

async function measure(discord: DiscordEmulator, guild: AddedGuild): Promise<number> {
  discord.clearAudio(guild.id);
  const say = discord.slashCommand({
    guildId: guild.id,
    channelId: guild.channels.general!,
    userId: guild.members.alice!,
    name: 'say',
    options: { text: TEXT },
  });
  const audio = await discord.waitForAudio(guild.id, { timeoutMs: 15_000 });
  await discord
    .slashCommand({ guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.alice!, name: 'stop' })
    .reply();
  await discord.waitForAudio(guild.id, { untilIdle: true, timeoutMs: 15_000 });
  return audio.firstAt! - say.dispatchedAt;
}

async function run(strategy: 'streaming' | 'fully first', firstPacketDelayMs: number): Promise<number[]> {
  const discord = await startDiscordEmulator();
  const dashscope = await startDashScopeEmulator({
    realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs, handshakeDelayMs: 0 },
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
  const bot: Bot = await startBot(
    config,
    quiet,
    strategy === 'fully first' ? { wrapEngine: synthesizeFullyFirst } : {},
  );
  try {
    await discord.gateway.waitForBot(15_000);
    const { voice } = await bot.app.library.design(guild.id, {
      description: 'A bench voice.',
      previewText: 'Hello from the bench voice.',
      preferredName: 'bench',
      createdBy: 'bench',
    });
    await bot.app.preferences.setMemberVoice(guild.id, guild.members.alice!, voice.voiceId);
    await measure(discord, guild); // warm-up: joins the channel
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await measure(discord, guild));
    return samples;
  } finally {
    await bot.stop();
    await discord.close();
    await dashscope.close();
  }
}

const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;
console.log(`/say → first audio packet at the listener, ${RUNS} runs each (ms)`);
for (const delay of DELAYS_MS) {
  const streaming = await run('streaming', delay);
  const baseline = await run('fully first', delay);
  const [s50, s95, b50, b95] = [
    percentile(streaming, 50),
    percentile(streaming, 95),
    percentile(baseline, 50),
    percentile(baseline, 95),
  ];
  console.log(`DashScope first packet ${delay} ms:`);
  console.log(
    `  streaming     p50 ${s50.toFixed(1)}  p95 ${s95.toFixed(1)}  overhead beyond DashScope p50 ` +
      `${(s50 - delay).toFixed(1)} (target < 60)`,
  );
  console.log(`  fully first   p50 ${b50.toFixed(1)}  p95 ${b95.toFixed(1)}`);
  console.log(`  streaming/fully-first p50 ratio ${(s50 / b50).toFixed(3)}`);
}
process.exit(0);
