import {
  type DiscordGatewayAdapterCreator,
  entersState,
  joinVoiceChannel,
  type VoiceConnection,
  VoiceConnectionStatus,
} from '@discordjs/voice';
import { UserError } from '../errors.ts';
import type { SpeechPackets } from './speechPackets.ts';
import { voiceCloseAction } from './voiceCloseCodes.ts';
import type { CycleStream, VoiceCycle } from './voiceCycle.ts';
import type { JoinVoice } from './voiceSink.ts';
import type { VoiceLogLevel } from './voiceThreadProtocol.ts';

/** How long a join may take before it is given up, ms. */
const JOIN_TIMEOUT_MS = 20_000;
/** How long a disconnected connection may take to start reconnecting before it is dropped, ms. */
const RECONNECT_GRACE_MS = 5_000;
/**
 * Empty 20 ms reads tolerated before a stream is ended (silence goes out meanwhile).
 * @remarks @discordjs/voice's player ends a resource after 5 (100 ms), which would cut an utterance whenever
 * streaming TTS runs behind real time; a stall pauses the speech instead. A real outage is caught earlier by the
 * engine's idle timeout.
 */
const MAX_STALL_FRAMES = 750;
/** Opus's three-byte silence frame, which @discordjs/voice sends as is (no DAVE frame encryption). */
const SILENCE_FRAME = Buffer.from([0xf8, 0xff, 0xfe]);
/** Silence frames that end a stream, as @discordjs/voice's player sends them (Discord's guidance: five). */
const SILENCE_TAIL_FRAMES = 5;
/** A voice connection that plays 20 ms Opus packets; the voice thread feeds it. */
export interface OpusSink {
  /**
   * Plays the packets as the thread's {@link VoiceCycle} reads them; settles when they have played out or `signal`
   * stopped them (the caller reads {@link SpeechPackets.failed}). `onFirstPacket` runs once the first packet is in
   * hand (the `/say` → first packet latency ends there).
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
  /** The thread's audio cycle, which plays the connection's speech. */
  cycle: VoiceCycle;
}

/**
 * Joins a voice channel through @discordjs/voice (this module is the only one that uses it; it runs in a voice
 * thread, see `VoiceThreads`).
 * @throws UserError when the connection is not ready within {@link JOIN_TIMEOUT_MS} or is given up.
 */
export async function connectVoice(options: ConnectVoiceOptions): Promise<OpusSink> {
  const { adapterCreator, guildId, channelId, log, signal, onGone, cycle } = options;
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
  return opusSink(connection, cycle);
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

function opusSink(connection: VoiceConnection, cycle: VoiceCycle): OpusSink {
  /** The stream the connection sends, perhaps only the silence that ends it. */
  let current: SpeechStream | undefined;
  return {
    play: async (packets, signal, onFirstPacket) => {
      if ((await packets.buffered(1)) === 0 || signal.aborted) return;
      onFirstPacket?.();
      return new Promise((resolve) => {
        current?.cut(); // its closing silence, if still going: the next speech follows without a break
        current = speechStream(connection, packets, signal, resolve);
        cycle.add(current);
      });
    },
    destroy: () => {
      if (connection.state.status !== VoiceConnectionStatus.Destroyed) connection.destroy();
    },
  };
}

/** A stream of speech in the cycle, which the next stream on its connection may cut short. */
interface SpeechStream extends CycleStream {
  /** Leaves the cycle at its next turn, unsent. */
  cut(): void;
}

/**
 * One stream of speech packets in the thread's {@link VoiceCycle}; `done` runs when it has played out, when `signal`
 * stops it, or when its connection is gone.
 * @remarks What @discordjs/voice's player did for us: a stream short of packets sends a silence frame each turn
 * (ending after {@link MAX_STALL_FRAMES}), a connection that is not ready sends nothing and the stream's schedule
 * starts anew when it is, and the end is five silence frames and "not speaking". A stopped stream ends the same way
 * (the player skipped those frames) as Discord asks of any break in the audio, so that listeners' decoders do not
 * fill the cut with sound of their own; it is done at once, and a next stream cuts that silence short.
 */
function speechStream(
  connection: VoiceConnection,
  packets: SpeechPackets,
  signal: AbortSignal,
  done: () => void,
): SpeechStream {
  let stalls = 0;
  let tail = -1; // silence frames of the ending still to send; -1 while speech plays
  let paused = false;
  let cut = false;
  signal.addEventListener('abort', done, { once: true });
  const end = (): false => {
    signal.removeEventListener('abort', done);
    if (!cut) connection.setSpeaking(false);
    done();
    return false;
  };
  const prepare = (): boolean => {
    const status = connection.state.status;
    if (cut || status === VoiceConnectionStatus.Destroyed) return end();
    if (status !== VoiceConnectionStatus.Ready) {
      if (signal.aborted) return end();
      paused = true;
      return true;
    }
    if (paused) packets.schedule.restart();
    paused = false;
    if (tail === -1 && signal.aborted) tail = SILENCE_TAIL_FRAMES;
    if (tail === -1) {
      const packet = packets.read() as Buffer | null;
      if (packet !== null) {
        stalls = 0;
        connection.prepareAudioPacket(packet);
        return true;
      }
      if (!packets.finished && ++stalls < MAX_STALL_FRAMES) {
        connection.prepareAudioPacket(SILENCE_FRAME);
        return true;
      }
      tail = SILENCE_TAIL_FRAMES;
    }
    if (tail === 0) return end();
    tail -= 1;
    connection.prepareAudioPacket(SILENCE_FRAME);
    return true;
  };
  return {
    dispatch: () => connection.dispatchAudio(),
    prepare,
    cut: () => {
      cut = true;
    },
  };
}
