import { generateDependencyReport } from '@discordjs/voice';
import { type Client, Events } from 'discord.js';
import { QUEUE_MAX_UTTERANCES } from '../commands/limits.ts';
import { toOpusPackets } from './audio/pipeline.ts';
import type { Config } from './config.ts';
import type { App } from './discord/app.ts';
import { createDiscordClient, loginExplained } from './discord/client.ts';
import { reportUtteranceFailure, wireClient } from './discord/events.ts';
import { discordNarrationOutlet } from './discord/narrationOutlet.ts';
import { postLine } from './discord/reply.ts';
import { humansIn } from './discord/voiceChannel.ts';
import type { Logger } from './log.ts';
import { Narrator } from './narration/narrator.ts';
import { CachedNarrationSettings } from './narration/settingsCache.ts';
import { discordJoinVoice } from './playback/discordVoiceSink.ts';
import { GuildPlayers } from './playback/guildPlayers.ts';
import { openServices } from './services.ts';
import { SpeechSpend } from './spend/speechSpend.ts';
import type { TtsEngine } from './tts/engine.ts';
import { createTtsEngine } from './tts/engines.ts';
import { adoptPendingDesigns } from './voices/adoptPending.ts';

/** How long shutdown waits for paid calls in flight and their writes, ms. */
export const SHUTDOWN_PAID_CALLS_WAIT_MS = 10_000;

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

/** The composition root: builds every service from the configuration, wires the Discord client and logs in. */
export async function startBot(config: Config, log: Logger, options: BotOptions = {}): Promise<Bot> {
  log.debug({ report: generateDependencyReport() }, 'voice dependencies');
  const services = await openServices(config);
  services.keyv.on('error', (error: unknown) => log.error({ err: error }, 'store error'));
  const baseEngine = createTtsEngine({ ...config.dashscope });
  const engine = options.wrapEngine?.(baseEngine) ?? baseEngine;
  const client = createDiscordClient(config.discord);
  const settings = new CachedNarrationSettings(services.narrationSettings);
  const speechSpend = new SpeechSpend(services.spend, log, (channelId, text) => postLine(client, log, channelId, text));
  const players: GuildPlayers = new GuildPlayers({
    joinVoice: discordJoinVoice(client, log),
    engine,
    // Encoded lazily, a few frames ahead of the voice connection. EncoderPool (worker threads) is not wired in
    // yet: with it, the e2e /skip and mid-utterance-failure tests did not hear the next utterance.
    encode: toOpusPackets,
    maxQueue: QUEUE_MAX_UTTERANCES,
    memberCharsPerMinute: config.limits.memberCharsPerMinute,
    idleLeaveMs: config.limits.idleLeaveMs,
    log,
    onError: (utterance, error) => reportUtteranceFailure(client, log, utterance, error),
    onSpoken: (utterance, metrics) => {
      const { guildId, id: utteranceId } = utterance;
      log.info({ guildId, utteranceId, voice: utterance.voice.voiceId, ...metrics }, 'spoken');
      void services.preferences
        .addUsage(guildId, utterance.voice.voiceId, metrics.characters)
        .catch((e: unknown) => log.warn({ err: e }, 'usage not saved'));
    },
    onEnded: (utterance, metrics) => void speechSpend.ended(utterance, metrics),
    humansIn: (guildId, channelId) => humansIn(client.guilds.cache.get(guildId), channelId),
    staysWhenIdle: (guildId, channelId) => narration.staysWhileIdle(guildId, channelId),
  });
  const narration = new Narrator({
    settings,
    dictionary: services.dictionary,
    registry: services.registry,
    preferences: services.preferences,
    outlet: discordNarrationOutlet(client, players, log),
    maxQueue: QUEUE_MAX_UTTERANCES,
    rate: players.rate,
    log,
    spend: speechSpend,
  });
  const { library, registry, preferences, spend } = services;
  const app: App = {
    config,
    log,
    players,
    narration,
    library,
    registry,
    preferences,
    spend,
    speechSpend,
    designCooldowns: new Map(),
  };
  wireClient(client, app);
  client.once(Events.ClientReady, (ready) => {
    const listAccount = () => library.accountVoices();
    void adoptPendingDesigns(registry, listAccount, ready.guilds.cache.keys()).then(
      (results) => {
        for (const r of results)
          log.warn(
            { guildId: r.guildId, adopted: r.adopted.map((v) => v.voiceId), dropped: r.dropped.length },
            'pending designs reconciled',
          );
      },
      (error: unknown) => log.error({ err: error }, 'pending designs not reconciled; they are kept for the next start'),
    );
  });
  const stop = async (): Promise<void> => {
    players.leaveAll();
    const left = await library.drain(SHUTDOWN_PAID_CALLS_WAIT_MS);
    if (left > 0) log.warn({ designs: left }, 'stopping with paid designs in flight; the next start adopts them');
    await Promise.allSettled([engine.close(), client.destroy(), services.close()]);
  };
  await loginExplained(client, config.discordToken, log).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { client, app, stop };
}
