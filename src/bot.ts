import { generateDependencyReport } from '@discordjs/voice';
import { type Client, Events } from 'discord.js';
import { QUEUE_MAX_UTTERANCES } from '../commands/limits.ts';
import type { Config } from './config.ts';
import type { App } from './discord/app.ts';
import { VoiceChannelStatus } from './discord/channelStatus.ts';
import { createDiscordClient, loginExplained } from './discord/client.ts';
import { reportUtteranceFailure, wireClient } from './discord/events.ts';
import { gatewayReady } from './discord/gatewayReady.ts';
import { discordNarrationOutlet } from './discord/narrationOutlet.ts';
import { postLine } from './discord/reply.ts';
import { humansIn } from './discord/voiceChannel.ts';
import { PendingWrites } from './lifecycle/pendingWrites.ts';
import {
  finishSpeech,
  leaveVoice,
  refuseNewWork,
  reportUnspoken,
  SHUTDOWN_LEAVE_WAIT_MS,
  SHUTDOWN_PAID_CALLS_WAIT_MS,
  SHUTDOWN_SPEECH_WAIT_MS,
  SHUTDOWN_WRITES_WAIT_MS,
} from './lifecycle/shutdown.ts';

export { SHUTDOWN_PAID_CALLS_WAIT_MS };

import type { Logger } from './log.ts';
import { BotMetrics } from './metrics/botMetrics.ts';
import { shardLabel, startMonitoring } from './metrics/monitoring.ts';
import { Narrator } from './narration/narrator.ts';
import { TypingPrewarm } from './narration/prewarmOnTyping.ts';
import { CachedNarrationSettings } from './narration/settingsCache.ts';
import { GuildPlayers } from './playback/guildPlayers.ts';
import { VoiceThreads } from './playback/voiceThreads.ts';
import { openServices } from './services.ts';
import { SpeechSpend } from './spend/speechSpend.ts';
import type { TtsEngine } from './tts/engine.ts';
import { createTtsEngine } from './tts/engines.ts';
import { adoptPendingDesigns } from './voices/adoptPending.ts';

/** A running bot. */
export interface Bot {
  client: Client;
  app: App;
  /** Prometheus metrics (served when METRICS_PORT is set); the account-wide limiter reports to `metrics.limiter`. */
  metrics: BotMetrics;
  /**
   * Stops gracefully (idempotent): takes no new work, lets what is being said finish (bounded) and reports
   * the rest, leaves voice, closes DashScope sessions (`session.finish`), flushes the store's writes, and
   * closes the gateway and the store.
   */
  stop(): Promise<void>;
}

export interface BotOptions {
  /** Wraps the TTS engine (benchmarks compare playback strategies this way). */
  wrapEngine?: (engine: TtsEngine) => TtsEngine;
  /** PEM certificates the voice threads trust too (see `VoiceThreadsOptions.trustedCertificates`). */
  trustedCertificates?: readonly string[];
}

/** The composition root: builds every service from the configuration, wires the Discord client and logs in. */
export async function startBot(config: Config, log: Logger, options: BotOptions = {}): Promise<Bot> {
  log.debug({ report: generateDependencyReport() }, 'voice dependencies');
  const telemetry = new BotMetrics(shardLabel(config.discord.shards));
  const services = await openServices(config, log, {
    sessions: telemetry.limiterFor('session'),
    designs: telemetry.limiterFor('design'),
  });
  services.keyv.on('error', (error: unknown) => {
    telemetry.storeError();
    log.error({ err: error }, 'store error');
  });
  const baseEngine = createTtsEngine({ ...config.dashscope, limiter: services.limits.sessions });
  const engine = options.wrapEngine?.(baseEngine) ?? baseEngine;
  const client = createDiscordClient(config.discord);
  const settings = new CachedNarrationSettings(services.narrationSettings);
  const writes = new PendingWrites();
  const speechSpend = new SpeechSpend(services.spend, log, (channelId, text) => postLine(client, log, channelId, text));
  // Voice connections, Opus and encryption on every core: the main thread relays gateway events and PCM.
  const voice = new VoiceThreads({
    adapterFor: (guildId) => client.guilds.cache.get(guildId)?.voiceAdapterCreator,
    log,
    onFirstPacket: (guildId) => telemetry.firstPacket(players.get(guildId)?.pending[0]),
    onTiming: (timing) => telemetry.voiceTiming(timing),
    opusComplexity: config.opusComplexity,
    trustedCertificates: options.trustedCertificates,
  });
  const players: GuildPlayers = new GuildPlayers({
    joinVoice: voice.joinVoice,
    engine,
    maxQueue: QUEUE_MAX_UTTERANCES,
    memberCharsPerMinute: config.limits.memberCharsPerMinute,
    idleLeaveMs: config.limits.idleLeaveMs,
    log,
    onError: (utterance, error) => {
      telemetry.failed(utterance, error);
      reportUtteranceFailure(client, log, utterance, error);
    },
    onSpoken: (utterance, metrics) => {
      telemetry.spoken(utterance);
      const { guildId, id: utteranceId } = utterance;
      log.info({ guildId, utteranceId, voice: utterance.voice.voiceId, ...metrics }, 'spoken');
      void writes
        .track(services.preferences.addUsage(guildId, utterance.voice.voiceId, metrics.characters))
        .catch((e: unknown) => log.warn({ err: e }, 'usage not saved'));
    },
    onEnded: (utterance, metrics) => {
      telemetry.ended(utterance, metrics);
      void writes.track(speechSpend.ended(utterance, metrics));
    },
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
  const prewarm = new TypingPrewarm({
    settings,
    registry,
    preferences,
    botChannel: (guildId) => players.presence(guildId)?.channelId,
    prewarm: (voice, tuning) => engine.prewarm?.(voice, tuning),
    log,
  });
  const app: App = {
    config,
    log,
    players,
    narration,
    prewarm,
    library,
    registry,
    preferences,
    spend,
    speechSpend,
    channelStatus: new VoiceChannelStatus(client, log, (guildId) => settings.get(guildId)),
    designCooldowns: new Map(),
    metrics: telemetry,
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
  const monitoring = await startMonitoring(config.metrics, {
    ...{ metrics: telemetry, engine: baseEngine, players, keyv: services.keyv, spend, log },
    guildIds: () => client.guilds.cache.keys(),
    gatewayReady: () => gatewayReady(client),
  }).catch(async (error: unknown) => {
    await services.close();
    throw error;
  });
  let stopped: Promise<void> | undefined;
  const stopOnce = async (report: boolean): Promise<void> => {
    refuseNewWork(client, log);
    // Paid designs in flight settle while speech finishes: the two bounds run side by side.
    const designsLeft = library.drain(SHUTDOWN_PAID_CALLS_WAIT_MS);
    const unspoken = await finishSpeech(players, SHUTDOWN_SPEECH_WAIT_MS);
    if (unspoken.length > 0) log.warn({ utterances: unspoken.length }, 'stopping with utterances unspoken');
    const reported = reportUnspoken(client, log, unspoken);
    await app.channelStatus.clearAll(); // while still connected: clearing after leaving needs Manage Channels
    const leftVoice = await leaveVoice(client, players, SHUTDOWN_LEAVE_WAIT_MS);
    const designs = await designsLeft;
    if (designs > 0) log.warn({ designs }, 'stopping with paid designs in flight; the next start adopts them');
    await Promise.allSettled([engine.close(), reported]);
    const unsaved = await writes.drain(SHUTDOWN_WRITES_WAIT_MS);
    if (unsaved > 0) log.warn({ writes: unsaved }, 'stopping with store writes unfinished');
    await voice.close(); // the leave payloads go out through the gateway before it closes
    await Promise.allSettled([client.destroy(), services.close(), monitoring?.close()]);
    if (report) log.info({ unspoken: unspoken.length, leftVoice, designs, unsaved }, 'stopped');
  };
  const stop = (): Promise<void> => {
    stopped ??= stopOnce(true);
    return stopped;
  };
  await loginExplained(client, config.discordToken, log).catch(async (error: unknown) => {
    stopped ??= stopOnce(false); // start-up failed: its one line says why, not a shutdown report
    await stopped;
    throw error;
  });
  return { client, app, metrics: telemetry, stop };
}
