import { generateDependencyReport } from '@discordjs/voice';
import { Events, type Client } from 'discord.js';
import { QUEUE_MAX_UTTERANCES } from '../commands/limits.ts';
import { toOpusPackets } from './audio/pipeline.ts';
import type { Config } from './config.ts';
import { DashScopeError } from './dashscope/errors.ts';
import type { App } from './discord/app.ts';
import { createDiscordClient } from './discord/client.ts';
import { onInteraction } from './discord/onInteraction.ts';
import { onVoiceState } from './discord/onVoiceState.ts';
import { NO_MENTIONS } from './discord/reply.ts';
import { UserError } from './errors.ts';
import type { Logger } from './log.ts';
import { discordJoinVoice } from './playback/discordVoiceSink.ts';
import { GuildPlayers } from './playback/guildPlayers.ts';
import type { Utterance } from './playback/utterance.ts';
import { openServices } from './services.ts';
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
  const client = createDiscordClient(config.discord.restUrl);
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
  });
  const app: App = { config, log, players, library: services.library, registry: services.registry, preferences: services.preferences, designCooldowns: new Map() };
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction, app));
  client.on(Events.VoiceStateUpdate, (before, after) => onVoiceState(before, after, app));
  client.once(Events.ClientReady, (ready) => log.info({ user: ready.user.tag, guilds: ready.guilds.cache.size }, 'ready'));
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  await client.login(config.discordToken);
  return {
    client,
    app,
    stop: async () => {
      players.leaveAll();
      await Promise.allSettled([engine.close(), client.destroy(), services.close()]);
    },
  };
}

/** Tells the channel that asked why an utterance was not spoken, once. */
function reportFailure(client: Client, log: Logger, utterance: Utterance, error: unknown): void {
  const known = error instanceof UserError || error instanceof DashScopeError;
  log.warn({ guildId: utterance.guildId, utteranceId: utterance.id, err: error }, 'utterance failed');
  const reason = known ? error.message : 'something went wrong on my side';
  const content = `Could not say that as **${utterance.voice.name}**: ${reason}`;
  void (async () => {
    const channel = await client.channels.fetch(utterance.reportChannelId);
    if (channel?.isSendable()) await channel.send({ content, allowedMentions: NO_MENTIONS });
  })().catch((e: unknown) => log.warn({ err: e }, 'could not report a failed utterance'));
}
