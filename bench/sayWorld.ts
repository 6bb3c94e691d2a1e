/**
 * The in-process world the `/say` latency benches share: both loopback servers, one guild with alice in its
 * voice channel, the real bot (`startBot`) with a voice designed and picked for alice.
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { type Bot, type BotOptions, startBot } from '../src/bot.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';
import { type AddedGuild, type DiscordEmulator, startDiscordEmulator } from '../test/emulators/discord/server.ts';

const TEXT = 'Ahoy there, friends, the tide is turning.';

/**
 * Configuration that lifts the limits a bench is not measuring (bench/limiter.ts measures the account's): fifty
 * /say-and-/stop runs pass a member's 2,000 characters a minute, each /stop ends its session mid-response so every run
 * opens one (over 6 a second), and the scale bench designs a voice and opens a session in 160 guilds at once.
 */
export const LIMITS_LIFTED = {
  MEMBER_CHARS_PER_MINUTE: '1000000',
  DASHSCOPE_SESSIONS_PER_MINUTE: '100000',
  DASHSCOPE_SESSIONS_PER_SECOND: '10000',
  DASHSCOPE_DESIGNS_PER_MINUTE: '100000',
};

export interface SayWorld {
  discord: DiscordEmulator;
  dashscope: DashScopeEmulator;
  guild: AddedGuild;
  bot: Bot;
  stop(): Promise<void>;
}

export interface SayWorldOptions {
  daveVersion?: 0 | 1;
  firstPacketDelayMs?: number;
  /** Delay before the realtime WebSocket upgrade is answered, ms (default 0). */
  handshakeDelayMs?: number;
  /** More members (usernames), not in voice. */
  members?: string[];
  bot?: BotOptions;
}

/** Starts the world; alice has a voice and the bot is connected, not yet in voice. */
export async function startSayWorld(options: SayWorldOptions = {}): Promise<SayWorld> {
  const discord = await startDiscordEmulator(
    options.daveVersion === undefined ? {} : { daveVersion: options.daveVersion },
  );
  const firstPacketDelayMs = options.firstPacketDelayMs ?? 0;
  const handshakeDelayMs = options.handshakeDelayMs ?? 0;
  const dashscope = await startDashScopeEmulator({
    realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs, handshakeDelayMs },
  });
  const guild = discord.addGuild({
    channels: [
      { type: 'text', name: 'general' },
      { type: 'voice', name: 'Lounge' },
    ],
    members: [{ username: 'alice' }, ...(options.members ?? []).map((username) => ({ username }))],
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
      ...LIMITS_LIFTED,
    },
    { discord: true },
  );
  const quiet = createLogger('error', new Writable({ write: (_c, _e, done) => done() }));
  // The voice threads are worker threads, which the in-process trust does not reach.
  const trustedCertificates = [readFileSync(discord.certPath, 'utf8')];
  const bot = await startBot(config, quiet, { ...options.bot, trustedCertificates });
  const stop = async (): Promise<void> => {
    await bot.stop();
    await discord.close();
    await dashscope.close();
  };
  await discord.gateway.waitForBot(15_000);
  const { voice } = await bot.app.library.design(guild.id, {
    description: 'A bench voice.',
    previewText: 'Hello from the bench voice.',
    preferredName: 'bench',
    createdBy: 'bench',
  });
  await bot.app.preferences.setMemberVoice(guild.id, guild.members.alice!, voice.voiceId);
  return { discord, dashscope, guild, bot, stop };
}

/** ms from the `/say` interaction to the first audible frame alice heard; then stops and waits for quiet. */
export async function measureSay({ discord, guild }: SayWorld): Promise<number> {
  discord.clearAudio(guild.id);
  const where = { guildId: guild.id, channelId: guild.channels.general!, userId: guild.members.alice! };
  const say = discord.slashCommand({ ...where, name: 'say', options: { text: TEXT } });
  const audio = await discord.waitForAudio(guild.id, { timeoutMs: 15_000 });
  await discord.slashCommand({ ...where, name: 'stop' }).reply();
  await discord.waitForAudio(guild.id, { untilIdle: true, timeoutMs: 15_000 });
  return audio.firstAt! - say.dispatchedAt;
}

/** The p-th percentile of `xs` (nearest rank). */
export const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;
