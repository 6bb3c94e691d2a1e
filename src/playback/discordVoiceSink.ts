import { Readable } from 'node:stream';
import {
  type AudioPlayer,
  AudioPlayerStatus,
  type AudioResource,
  createAudioPlayer,
  createAudioResource,
  entersState,
  joinVoiceChannel,
  NoSubscriberBehavior,
  StreamType,
  type VoiceConnection,
  VoiceConnectionStatus,
} from '@discordjs/voice';
import type { Client } from 'discord.js';
import { UserError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { JoinVoice, VoiceSink } from './voiceSink.ts';

/** How long a join may take before it is given up, ms. */
const JOIN_TIMEOUT_MS = 20_000;
/** How long a disconnected connection may take to start reconnecting before it is dropped, ms. */
const RECONNECT_GRACE_MS = 5_000;
/**
 * Empty 20 ms reads tolerated before @discordjs/voice ends a resource.
 * @remarks Its default (5, i.e. 100 ms) would cut an utterance whenever streaming TTS runs behind real
 * time; a stall pauses playback instead. A real outage is caught earlier by the engine's idle timeout.
 */
export const MAX_STALL_FRAMES = 750;

/** Joins voice channels through @discordjs/voice: the one module that uses it. */
export function discordJoinVoice(client: Client, log: Logger): JoinVoice {
  return async (guildId, channelId, onGone) => {
    const guild = client.guilds.cache.get(guildId);
    if (!guild) throw new UserError('not_found', 'The bot is not in that server any more.');
    const connection = joinVoiceChannel({
      guildId,
      channelId,
      adapterCreator: guild.voiceAdapterCreator,
      selfDeaf: true,
    });
    connection.on('error', (error) => log.warn({ guildId, err: error }, 'voice connection error'));
    try {
      await entersState(connection, VoiceConnectionStatus.Ready, JOIN_TIMEOUT_MS);
    } catch (error) {
      connection.destroy();
      throw new UserError('forbidden', 'Could not connect to the voice channel in time. Try /join again.', {
        cause: error,
      });
    }
    watchDisconnects(connection, guildId, log, onGone);
    return voiceSink(connection, log);
  };
}

/** The reconnect policy @discordjs/voice recommends: a disconnect that does not start reconnecting within the grace time is final. */
function watchDisconnects(connection: VoiceConnection, guildId: string, log: Logger, onGone: () => void): void {
  connection.on(VoiceConnectionStatus.Disconnected, () => {
    Promise.race([
      entersState(connection, VoiceConnectionStatus.Signalling, RECONNECT_GRACE_MS),
      entersState(connection, VoiceConnectionStatus.Connecting, RECONNECT_GRACE_MS),
    ]).catch(() => {
      log.info({ guildId }, 'voice connection lost');
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    });
  });
  connection.on(VoiceConnectionStatus.Destroyed, onGone);
}

function voiceSink(connection: VoiceConnection, log: Logger): VoiceSink {
  const player = createAudioPlayer({
    behaviors: { noSubscriber: NoSubscriberBehavior.Pause, maxMissedFrames: MAX_STALL_FRAMES },
  });
  player.on('error', (error) => log.debug({ err: error }, 'audio resource failed'));
  connection.subscribe(player);
  return {
    play: (packets, signal) => playOnce(player, packets, signal),
    destroy: () => {
      player.stop(true);
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    },
  };
}

/** Plays one stream of Opus packets; settles when the player is idle again. */
function playOnce(player: AudioPlayer, packets: AsyncIterable<Buffer>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve();
    // @discordjs/voice re-wraps a source error without its cause; keep the original (a DashScopeError, say).
    let failure: { error: unknown } | undefined;
    const source = (async function* () {
      try {
        yield* packets;
      } catch (error) {
        failure = { error };
        throw error;
      }
    })();
    const stream = Readable.from(source, { objectMode: true });
    const resource: AudioResource = createAudioResource(stream, { inputType: StreamType.Opus });
    const onIdle = (): void => {
      if (player.state.status !== AudioPlayerStatus.Idle) return;
      cleanup();
      if (failure && !signal.aborted) reject(failure.error);
      else resolve();
    };
    const onAbort = (): void => {
      stream.destroy();
      player.stop(true);
    };
    const cleanup = (): void => {
      player.off('stateChange', onIdle);
      signal.removeEventListener('abort', onAbort);
    };
    player.on('stateChange', onIdle);
    signal.addEventListener('abort', onAbort, { once: true });
    player.play(resource);
  });
}
