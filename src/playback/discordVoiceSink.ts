import { Readable } from 'node:stream';
import {
  type AudioPlayer,
  type AudioPlayerState,
  AudioPlayerStatus,
  type AudioResource,
  createAudioPlayer,
  createAudioResource,
  type DiscordGatewayAdapterCreator,
  entersState,
  joinVoiceChannel,
  NoSubscriberBehavior,
  StreamType,
  type VoiceConnection,
  VoiceConnectionStatus,
} from '@discordjs/voice';
import { UserError } from '../errors.ts';
import type { SpeechPackets } from './speechPackets.ts';
import { voiceCloseAction } from './voiceCloseCodes.ts';
import type { JoinVoice } from './voiceSink.ts';
import type { VoiceLogLevel } from './voiceThreadProtocol.ts';

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
/**
 * Does once, up front, what @discordjs/voice does at its first audio resource: build its transcoding graph, which
 * probes ffmpeg with a synchronous spawn (~0.2 s here). Left to the first utterance, that stalls every stream its
 * thread carries just as they all start.
 */
export function warmUpVoice(): void {
  const empty = Readable.from([]);
  createAudioResource(empty, { inputType: StreamType.Opus });
  empty.destroy();
}

/** A voice connection that plays 20 ms Opus packets; the voice thread feeds it. */
export interface OpusSink {
  /**
   * Plays the packets as the player reads them; settles when they have played out or `signal` stopped them (the
   * caller reads {@link SpeechPackets.failed}). `onFirstPacket` runs once the first packet is in hand (the `/say` →
   * first packet latency ends there).
   */
  play(packets: SpeechPackets, signal: AbortSignal, onFirstPacket?: () => void): Promise<void>;
  destroy(): void;
}

/** The logger a voice connection writes to: the voice thread relays each line to the bot's logger. */
export type VoiceLog = Record<VoiceLogLevel, (fields: Record<string, unknown>, msg: string) => void>;

/** What one join needs: the guild's gateway adapter (relayed from the main thread), where, and whom to tell. */
export interface ConnectVoiceOptions {
  adapterCreator: DiscordGatewayAdapterCreator;
  guildId: string;
  channelId: string;
  log: VoiceLog;
  /** Aborting gives the join up (the shard cannot carry it, or the bot left before it was ready). */
  signal: AbortSignal;
  /** The connection ended for good (see {@link JoinVoice}). */
  onGone(): void;
}

/**
 * Joins a voice channel through @discordjs/voice (this module is the only one that uses it; it runs in a voice
 * thread, see `VoiceThreads`).
 * @throws UserError when the connection is not ready within {@link JOIN_TIMEOUT_MS} or is given up.
 */
export async function connectVoice(options: ConnectVoiceOptions): Promise<OpusSink> {
  const { adapterCreator, guildId, channelId, log, signal, onGone } = options;
  const connection = joinVoiceChannel({ guildId, channelId, adapterCreator, selfDeaf: true });
  connection.on('error', (error) => log.warn({ guildId, err: error }, 'voice connection error'));
  applyClosePolicy(connection, guildId, log);
  logPrivacyCode(connection, guildId, log);
  const destroyed = new AbortController(); // a close the policy gives up on ends the wait at once
  connection.once(VoiceConnectionStatus.Destroyed, () => destroyed.abort());
  try {
    await entersState(
      connection,
      VoiceConnectionStatus.Ready,
      AbortSignal.any([AbortSignal.timeout(JOIN_TIMEOUT_MS), destroyed.signal, signal]),
    );
  } catch (error) {
    if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    throw new UserError('forbidden', 'Could not connect to the voice channel in time. Try /join again.', {
      cause: error,
    });
  }
  watchDisconnects(connection, guildId, log, onGone);
  return opusSink(connection, log);
}

/**
 * The reconnect policy @discordjs/voice recommends: a disconnect that does not start reconnecting within the grace time
 * is final.
 */
function watchDisconnects(connection: VoiceConnection, guildId: string, log: VoiceLog, onGone: () => void): void {
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

/**
 * Applies {@link voiceCloseAction} to each voice WebSocket close: gives up at once on codes a retry
 * cannot fix (4017 DAVE required, 4021, 4022, …), which @discordjs/voice 0.19.2 would otherwise
 * rejoin in a loop until the join timeout; says so on the session-expired rejoin (4006, 4009).
 */
function applyClosePolicy(connection: VoiceConnection, guildId: string, log: VoiceLog): void {
  const watched = new WeakSet<object>();
  connection.on('stateChange', (_before, state) => {
    if (!('networking' in state) || watched.has(state.networking)) return;
    watched.add(state.networking);
    // Registered after the library's own listener, so this runs once it has reacted.
    state.networking.once('close', (code) => {
      const action = voiceCloseAction(code);
      if (action.kind === 'rejoin')
        log.info({ guildId, closeCode: code }, `voice connection closed: ${action.reason}; rejoining`);
      if (action.kind !== 'give-up' || code === 4014) return; // 4014 goes Disconnected; watchDisconnects decides
      log[action.level]({ guildId, closeCode: code }, `voice connection closed: ${action.reason}`);
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    });
  });
}

/** Logs the DAVE voice privacy code (debug) whenever the call's end-to-end encryption moves to a new one. */
function logPrivacyCode(connection: VoiceConnection, guildId: string, log: VoiceLog): void {
  let last: string | undefined;
  connection.on('transitioned', () => {
    const code = connection.voicePrivacyCode;
    if (!code || code === last) return;
    last = code;
    log.debug({ guildId, voicePrivacyCode: code }, 'voice call is end-to-end encrypted (DAVE)');
  });
}

function opusSink(connection: VoiceConnection, log: VoiceLog): OpusSink {
  const player = createAudioPlayer({
    behaviors: { noSubscriber: NoSubscriberBehavior.Pause, maxMissedFrames: MAX_STALL_FRAMES },
  });
  player.on('error', (error) => log.debug({ err: error }, 'audio resource failed'));
  connection.subscribe(player);
  return {
    play: (packets, signal, onFirstPacket) => playOnce(connection, player, packets, signal, onFirstPacket),
    destroy: () => {
      player.stop(true);
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    },
  };
}

/**
 * Plays one stream of speech packets; settles when the player is idle again.
 * @remarks The player starts only once audio is in hand, with the first packet already prepared on the connection
 * for the player's next 20 ms tick to send. @discordjs/voice otherwise reads a packet on one tick and sends it on
 * the next, and a player started before its audio keeps the ticks of that earlier moment: together 20–40 ms more
 * to the first audible frame. Later packets keep the player's cadence. The second packet is awaited before the
 * first is prepared (both usually come from one DashScope delta), so a player that ends before its first tick
 * never leaves a prepared packet unsent.
 */
async function playOnce(
  connection: VoiceConnection,
  player: AudioPlayer,
  packets: SpeechPackets,
  signal: AbortSignal,
  onFirstPacket: (() => void) | undefined,
): Promise<void> {
  if ((await packets.buffered(1)) === 0 || signal.aborted) return;
  onFirstPacket?.();
  if ((await packets.buffered(2)) === 2 && !signal.aborted) {
    const first = packets.read() as Buffer;
    if (connection.prepareAudioPacket(first) === undefined) packets.unshift(first);
  }
  if (signal.aborted) return;
  return new Promise((resolve, reject) => {
    const resource: AudioResource = createAudioResource(packets, { inputType: StreamType.Opus });
    const onStateChange = (before: AudioPlayerState, after: AudioPlayerState): void => {
      // Playing again after a pause (or at the start): the player read nothing meanwhile, so its schedule starts anew.
      if (after.status === AudioPlayerStatus.Playing && before.status !== AudioPlayerStatus.Playing)
        packets.schedule.restart();
      if (after.status !== AudioPlayerStatus.Idle) return;
      cleanup();
      // @discordjs/voice re-wraps a stream error without its cause; keep the original.
      if (packets.errored && !signal.aborted) reject(packets.errored);
      else resolve();
    };
    const onAbort = (): void => {
      packets.destroy();
      player.stop(true);
    };
    const cleanup = (): void => {
      player.off('stateChange', onStateChange);
      signal.removeEventListener('abort', onAbort);
    };
    player.on('stateChange', onStateChange);
    signal.addEventListener('abort', onAbort, { once: true });
    player.play(resource);
  });
}
