import { generateDependencyReport } from '@discordjs/voice';
import { Events, type Client } from 'discord.js';
import { QUEUE_MAX_UTTERANCES } from '../commands/limits.ts';
import { toOpusPackets } from './audio/pipeline.ts';
import type { Config } from './config.ts';
import { DashScopeError } from './dashscope/errors.ts';
import type { App } from './discord/app.ts';
import { createDiscordClient, loginExplained } from './discord/client.ts';
import { onInteraction } from './discord/onInteraction.ts';
import { onMessageCreate, onMessageDelete, onMessageUpdate } from './discord/onMessage.ts';
import { joinForNarration, onVoiceState } from './discord/onVoiceState.ts';
import { postLine } from './discord/reply.ts';
import { UserError } from './errors.ts';
import type { Logger } from './log.ts';
import { Narrator } from './narration/narrator.ts';
import { CachedNarrationSettings } from './narration/settingsCache.ts';
import { discordJoinVoice } from './playback/discordVoiceSink.ts';
import { GuildPlayers } from './playback/guildPlayers.ts';
import type { Utterance } from './playback/utterance.ts';
import { openServices, type Services } from './services.ts';
import type { TtsEngine } from './tts/engine.ts';
import { createTtsEngine } from './tts/engines.ts';

/** A running bot. */
export interface Bot {
  client: Client;
  app: App;
  /** Leaves every voice channel, closes DashScope sessions, the gateway and the store. */
  stop(): Promise<void>;
}

export interface BotOptions {
  /** Wraps the TTS engine (benchmarks compare playback strategies this way). */
  wrapEngine?: (engine: TtsEngine) => TtsEngine;
}

/** Builds every service from the configuration, wires the Discord client and logs in. */
export async function startBot(config: Config, log: Logger, options: BotOptions = {}): Promise<Bot> {
  log.debug({ report: generateDependencyReport() }, 'voice dependencies');
  const services = await openServices(config);
  services.keyv.on('error', (error: unknown) => log.error({ err: error }, 'store error'));
  const baseEngine = createTtsEngine({ ...config.dashscope });
  const engine = options.wrapEngine?.(baseEngine) ?? baseEngine;
  const client = createDiscordClient(config.discord);
  const narrationSettings = new CachedNarrationSettings(services.narrationSettings);
  const players: GuildPlayers = new GuildPlayers({
    joinVoice: discordJoinVoice(client, log, (guildId) => players.leave(guildId)),
    engine,
    encode: toOpusPackets,
    maxQueue: QUEUE_MAX_UTTERANCES,
    idleLeaveMs: config.limits.idleLeaveMs,
    log,
    onError: (utterance, error) => reportFailure(client, log, utterance, error),
    onSpoken: (utterance, metrics) => {
      log.info({ guildId: utterance.guildId, utteranceId: utterance.id, voice: utterance.voice.voiceId, ...metrics }, 'spoken');
      void services.preferences.addUsage(utterance.guildId, utterance.voice.voiceId, metrics.characters).catch((e: unknown) => log.warn({ err: e }, 'usage not saved'));
    },
    // Narrating a bound chat, the bot stays while people are in the call (it still leaves when they all go).
    stayWhenIdle: async (guildId, channelId) =>
      Object.values((await narrationSettings.get(guildId)).bindings).some((bound) => bound === null || bound === channelId),
  });
  const narration = buildNarrator(services, narrationSettings, players, client, log);
  const app: App = { config, log, players, narration, library: services.library, registry: services.registry, preferences: services.preferences, designCooldowns: new Map() };
  wireClient(client, app);
  const stop = async (): Promise<void> => {
    players.leaveAll();
    await Promise.allSettled([engine.close(), client.destroy(), services.close()]);
  };
  await loginExplained(client, config.discordToken, log).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { client, app, stop };
}

/** Narrated chat over the services, joining through `players` and posting hints through `client`. */
function buildNarrator(services: Services, settings: CachedNarrationSettings, players: GuildPlayers, client: Client, log: Logger): Narrator {
  return new Narrator({
    settings,
    dictionary: services.dictionary,
    registry: services.registry,
    preferences: services.preferences,
    players,
    join: async (guildId, channelId) => {
      const guild = client.guilds.cache.get(guildId);
      return guild ? joinForNarration(guild, channelId, players, log) : undefined;
    },
    notify: (channelId, text) => postLine(client, log, channelId, text),
    maxQueue: QUEUE_MAX_UTTERANCES,
    log,
  });
}

/** Routes the gateway's events to the handlers. */
function wireClient(client: Client, app: App): void {
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction, app));
  client.on(Events.VoiceStateUpdate, (before, after) => onVoiceState(before, after, app));
  client.on(Events.MessageCreate, (message) => onMessageCreate(message, app));
  client.on(Events.MessageUpdate, (before, after) => onMessageUpdate(before, after, app));
  client.on(Events.MessageDelete, (message) => onMessageDelete(message, app));
  client.once(Events.ClientReady, (ready) => app.log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'ready'));
  client.on(Events.Error, (error) => app.log.error({ err: error }, 'discord client error'));
}

/** Tells the channel that asked why an utterance was not spoken, once. */
function reportFailure(client: Client, log: Logger, utterance: Utterance, error: unknown): void {
  const known = error instanceof UserError || error instanceof DashScopeError;
  log.warn({ guildId: utterance.guildId, utteranceId: utterance.id, err: error }, 'utterance failed');
  const reason = known ? error.message : 'something went wrong on my side';
  postLine(client, log, utterance.reportChannelId, `Could not say that as **${utterance.voice.name}**: ${reason}`);
}
