/**
 * What the emulator records about the bot's voice connection in one guild, and the audio it heard.
 */
import type { DaveCall } from './daveCall.ts';
import type { DaveListener } from './daveListener.ts';
import type { DaveCallRecord, DaveFault, ListenerRecord } from './daveRecord.ts';
import type { OpusFrameDecoder } from './opusDecoder.ts';
import type { AeadMode } from './rtp.ts';

/** One RTP packet from the bot, decrypted and decoded. */
export interface VoicePacket {
  /** `performance.now()` when the datagram arrived. */
  receivedAt: number;
  sequence: number;
  timestamp: number;
  ssrc: number;
  /** The rtpsize nonce counter. */
  nonce: number;
  opus: Buffer;
  /** 48 kHz stereo s16le, 3 840 bytes per 20 ms frame. */
  pcm: Buffer;
  /** The `f8 ff fe` silence frame. */
  silence: boolean;
}

/** A SPEAKING (op 5) message from the bot. */
export interface SpeakingEvent {
  at: number;
  speaking: number;
  ssrc: number;
}

/** A gateway op 4 the bot sent for this guild; `refused` says why the emulator ignored it. */
export interface VoiceRequest {
  at: number;
  channelId: string | null;
  selfDeaf: boolean;
  selfMute: boolean;
  refused: 'unknown channel' | 'missing permissions' | 'channel full' | null;
}

/** A close of the voice WebSocket. */
export interface VoiceClose {
  at: number;
  code: number;
  reason: string;
  by: 'server' | 'client';
}

/** The bot's voice state in one guild, as the emulator saw it (a live object). */
export interface GuildVoice {
  readonly guildId: string;
  /** Channel of the bot's last accepted op 4; `null` after leaving. */
  channelId: string | null;
  /** True while the voice socket is open and SESSION_DESCRIPTION has been sent. */
  connected: boolean;
  mode: AeadMode | null;
  /** `max_dave_protocol_version` of the last voice IDENTIFY. */
  daveVersionOffered: number | null;
  ssrc: number | null;
  packets: VoicePacket[];
  speaking: SpeakingEvent[];
  requests: VoiceRequest[];
  closes: VoiceClose[];
  identifies: number;
  resumes: number;
  /** Voice heartbeats (op 3) received, each answered with op 6. */
  heartbeats: number;
  /** UDP keep-alives received (8-byte datagrams, ignored as on Discord). */
  keepAlives: number;
  /** Packets that failed transport decryption, or DAVE frames nobody in the call could open. */
  decryptFailures: number;
  clientAddress: { address: string; port: number } | null;
  /** `dave_protocol_version` of the last SESSION_DESCRIPTION (null before one). */
  daveVersion: 0 | 1 | null;
  /** The call's MLS group, as the gateway (external sender) sees it; null before the bot connected. */
  dave: DaveCallRecord | null;
  /** Every listening member the call has had, in joining order (a member who rejoins gets a new record). */
  listeners: ListenerRecord[];
}

/** The emulator's private voice state of a guild, around the public view. */
export interface GuildVoiceState {
  view: GuildVoice;
  sessionId: string | null;
  token: string | null;
  secretKey: Buffer | null;
  decoder: OpusFrameDecoder | null;
  call: DaveCall | null;
  listeners: Map<string, DaveListener>;
  /** Armed DAVE faults, shared with every call of the guild. */
  daveFaults: DaveFault[];
}

/** Decoded audio: the PCM of non-silence frames, in arrival order. */
export interface CapturedAudio {
  pcm: Buffer;
  frames: number;
  silenceFrames: number;
  /** frames × 20 ms. */
  durationMs: number;
  /** `receivedAt` of the first and last audio frame (null without audio). */
  firstAt: number | null;
  lastAt: number | null;
}

/** A fresh voice state for `guildId`. */
export function newGuildVoice(guildId: string): GuildVoiceState {
  return {
    view: {
      guildId,
      channelId: null,
      connected: false,
      mode: null,
      daveVersionOffered: null,
      ssrc: null,
      packets: [],
      speaking: [],
      requests: [],
      closes: [],
      identifies: 0,
      resumes: 0,
      heartbeats: 0,
      keepAlives: 0,
      decryptFailures: 0,
      clientAddress: null,
      daveVersion: null,
      dave: null,
      listeners: [],
    },
    sessionId: null,
    token: null,
    secretKey: null,
    decoder: null,
    call: null,
    listeners: new Map(),
    daveFaults: [],
  };
}

/** Concatenates the PCM of the non-silence packets. */
export function audioOf(packets: readonly VoicePacket[]): CapturedAudio {
  const audio = packets.filter((p) => !p.silence);
  return {
    pcm: Buffer.concat(audio.map((p) => p.pcm)),
    frames: audio.length,
    silenceFrames: packets.length - audio.length,
    durationMs: audio.length * 20,
    firstAt: audio[0]?.receivedAt ?? null,
    lastAt: audio.at(-1)?.receivedAt ?? null,
  };
}

/**
 * Splits the packets into runs of audio: a silence frame, or more than `gapMs` between two audio
 * frames, ends a run.
 */
export function segmentsOf(packets: readonly VoicePacket[], gapMs = 200): CapturedAudio[] {
  const runs: VoicePacket[][] = [];
  let current: VoicePacket[] = [];
  for (const packet of packets) {
    const last = current.at(-1);
    if (packet.silence || (last !== undefined && packet.receivedAt - last.receivedAt > gapMs)) {
      if (current.length > 0) runs.push(current);
      current = packet.silence ? [] : [packet];
      continue;
    }
    current.push(packet);
  }
  if (current.length > 0) runs.push(current);
  return runs.map((run) => audioOf(run));
}

/**
 * The longest stretch between two consecutive audio frames, in ms of RTP time (timestamp steps of
 * 960 = 20 ms are continuous, so the result is 0 for gap-free audio).
 */
export function maxRtpGapMs(packets: readonly VoicePacket[]): number {
  const audio = packets.filter((p) => !p.silence);
  let gap = 0;
  for (let i = 1; i < audio.length; i++) {
    const step = (audio[i]!.timestamp - audio[i - 1]!.timestamp) >>> 0;
    gap = Math.max(gap, step / 48 - 20);
  }
  return gap;
}

/** True when the bot stopped talking after its last audio frame (silence frame or speaking 0). */
export function isIdle(voice: GuildVoice): boolean {
  const lastAudio = voice.packets.findLast((p) => !p.silence);
  if (lastAudio === undefined) return false;
  if (voice.packets.at(-1)?.silence === true) return true;
  const lastSpeaking = voice.speaking.at(-1);
  return lastSpeaking !== undefined && lastSpeaking.speaking === 0 && lastSpeaking.at > lastAudio.receivedAt;
}
