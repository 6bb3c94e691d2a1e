/**
 * The voice part of the scripting API: per-guild records, decoded audio and waits.
 */
import { type EmulatorContext, guildVoice, requireGuild } from './context.ts';
import type { DaveFault, ListenerRecord } from './daveRecord.ts';
import { audioOf, type CapturedAudio, type GuildVoice, isIdle, segmentsOf } from './voiceRecord.ts';
import { leaveVoice } from './voiceSignals.ts';
import { DEFAULT_WAIT_MS } from './watch.ts';

/** Options of {@link VoiceApi.waitForAudio}. */
export interface AudioWaitOptions {
  /** Audio (non-silence) duration to wait for, in ms (default 20: any audio). */
  minMs?: number;
  timeoutMs?: number;
  /** Also wait until the bot stopped talking (silence frame or speaking 0 after the audio). */
  untilIdle?: boolean;
}

/** Voice helpers, all keyed by guild id. */
export interface VoiceApi {
  /** The live voice record of a guild (created empty when the bot never joined). */
  voice(guildId: string): GuildVoice;
  /** The decoded PCM of every non-silence frame received so far (since the last clear). */
  audio(guildId: string): CapturedAudio;
  /** The audio split into runs at silence frames or gaps over `gapMs` (default 200). */
  audioSegments(guildId: string, gapMs?: number): CapturedAudio[];
  /** Resolves with {@link VoiceApi.audio} once at least `minMs` of audio arrived. */
  waitForAudio(guildId: string, options?: AudioWaitOptions): Promise<CapturedAudio>;
  /** Resolves with the record once `predicate` holds, e.g. `(v) => v.connected`. */
  waitForVoice(guildId: string, predicate: (voice: GuildVoice) => boolean, timeoutMs?: number): Promise<GuildVoice>;
  /** Forgets received packets and speaking events. */
  clearAudio(guildId: string): void;
  /** Disconnects the bot server-side (a moderator's "disconnect"): VOICE_STATE_UPDATE null + close 4014. */
  disconnectVoice(guildId: string): void;
  /** The latest listening member record of `userId` in the guild's call (undefined if never in it). */
  listener(guildId: string, userId: string): ListenerRecord | undefined;
  /** Arms a DAVE fault for the guild's calls (now or the next one). */
  injectDaveFault(guildId: string, fault: DaveFault): void;
  /** Changes DAVE options for calls started from now on. */
  setDaveOptions(options: { version?: 0 | 1; firstTransitionZero?: boolean }): void;
  /** Closes the bot's voice WebSocket from the server side with `code` (e.g. 4006, 4017, 4022). */
  closeVoice(guildId: string, code: number, reason?: string): void;
}

/** Builds the voice API over `ctx`. */
export function voiceApi(ctx: EmulatorContext): VoiceApi {
  const view = (guildId: string): GuildVoice => guildVoice(ctx, guildId).view;
  return {
    voice: view,
    audio: (guildId) => audioOf(view(guildId).packets),
    audioSegments: (guildId, gapMs) => segmentsOf(view(guildId).packets, gapMs),
    waitForAudio: (guildId, options = {}) => {
      const { minMs = 20, timeoutMs = DEFAULT_WAIT_MS, untilIdle = false } = options;
      return ctx.watch.until(
        () => {
          const voice = view(guildId);
          const audio = audioOf(voice.packets);
          return audio.durationMs >= minMs && (!untilIdle || isIdle(voice)) ? audio : undefined;
        },
        timeoutMs,
        `${minMs} ms of audio in guild ${guildId}${untilIdle ? ' and then silence' : ''}`,
      );
    },
    waitForVoice: (guildId, predicate, timeoutMs = DEFAULT_WAIT_MS) =>
      ctx.watch.until(
        () => (predicate(view(guildId)) ? view(guildId) : undefined),
        timeoutMs,
        `a voice condition in guild ${guildId}`,
      ),
    clearAudio: (guildId) => {
      const voice = view(guildId);
      voice.packets.length = 0;
      voice.speaking.length = 0;
    },
    disconnectVoice: (guildId) => leaveVoice(ctx, requireGuild(ctx, guildId), 4_014, 'Disconnected.'),
    listener: (guildId, userId) => view(guildId).listeners.findLast((l) => l.userId === userId),
    injectDaveFault: (guildId, fault) => void guildVoice(ctx, guildId).daveFaults.push({ ...fault, used: false }),
    setDaveOptions: (options) => {
      if (options.version !== undefined) ctx.options.daveVersion = options.version;
      if (options.firstTransitionZero !== undefined) ctx.options.daveFirstTransitionZero = options.firstTransitionZero;
    },
    closeVoice: (guildId, code, reason = 'Closed by the test.') => ctx.closeVoiceSocket(guildId, code, reason),
  };
}
