/**
 * Messages between {@link VoiceThreads} (main thread) and its voice threads (voiceThread.ts). A connection (`conn`)
 * is one join of one guild; a stream is one `play` on it.
 */
import type { GatewayVoiceServerUpdateDispatchData, GatewayVoiceStateUpdateDispatchData } from 'discord-api-types/v10';
import type { OpusComplexitySetting } from './opusComplexity.ts';

/**
 * The nice value a voice thread asks for: above the bot's other threads and other processes at the default 0, so its
 * 20 ms cycle gets a core as soon as it is due when the machine is busy.
 * @remarks What audio servers do for their real-time threads (PulseAudio asks for −11). A cycle needs a few ms in
 * each 20 ms, and its encoding waits for the PCM the main thread relays, so the main thread keeps the CPU it needs
 * unless the voice threads are short of it themselves (and the audio late anyway).
 */
export const VOICE_THREAD_NICE = -10;

/** The levels a voice thread logs at. */
export type VoiceLogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Main thread → voice thread. */
export type ToVoiceThread =
  | { op: 'join'; conn: number; guildId: string; channelId: string }
  /** The gateway's voice events for the connection, relayed from discord.js's adapter. */
  | { op: 'server-update'; conn: number; data: GatewayVoiceServerUpdateDispatchData }
  | { op: 'state-update'; conn: number; data: GatewayVoiceStateUpdateDispatchData }
  /** discord.js dropped the adapter (its shard disconnected): the connection ends without a leave payload. */
  | { op: 'adapter-gone'; conn: number }
  /** The shard refused a payload the connection sent (not ready): the connection gives up. */
  | { op: 'shard-unavailable'; conn: number }
  | { op: 'leave'; conn: number }
  | { op: 'play'; conn: number; stream: number }
  /** 24 kHz mono s16le PCM of a stream, in order. */
  | { op: 'pcm'; stream: number; pcm: Uint8Array }
  /** No more PCM: the stream plays out (`failed`: its source failed, so it ends as failed once played). */
  | { op: 'end'; stream: number; failed: boolean }
  /** Stop the stream at once. */
  | { op: 'stop'; stream: number };

/** Voice thread → main thread. */
export type FromVoiceThread =
  | { op: 'joined'; conn: number }
  | { op: 'join-failed'; conn: number; message: string }
  /** A gateway payload (op 4) for the connection's shard. */
  | { op: 'gateway'; conn: number; payload: unknown }
  /** The connection let its adapter go (it is destroyed); nothing more comes for `conn`. */
  | { op: 'released'; conn: number }
  /** The connection ended for good (kicked, channel deleted, reconnect failed, left). */
  | { op: 'gone'; conn: number }
  /** PCM bytes of the stream the encoder has taken: the main thread may send that much more. */
  | { op: 'taken'; stream: number; bytes: number }
  /** The stream's first packet went to the connection. */
  | { op: 'first-packet'; stream: number }
  /** The stream has played out or stopped; `error`: it failed. */
  | { op: 'played'; stream: number; error?: string }
  /** How the thread kept time over the last second. */
  | ({ op: 'timing' } & VoiceTiming)
  | { op: 'log'; level: VoiceLogLevel; fields: Record<string, unknown>; msg: string };

/** How a voice thread kept time over one second. */
export interface VoiceTiming {
  /** Its longest event-loop delay, ms: it runs the 20 ms voice cycle, so above ~40 ms audio went out late. */
  loopDelayMaxMs: number;
  /** Packets its cycle took, and how many of those more than `LATE_FRAME_MS` behind their stream's schedule. */
  frames: number;
  lateFrames: number;
  /** Of `frames`, those the thread encoded at reduced Opus complexity, being short of CPU (see `OPUS_COMPLEXITY`). */
  economyFrames: number;
}

/** Data every voice thread starts with. */
export interface VoiceThreadData {
  logLevel: string;
  opusComplexity: OpusComplexitySetting;
  /** PEM certificates to trust besides the defaults (see `VoiceThreadsOptions.trustedCertificates`). */
  trustedCertificates: string[];
}
