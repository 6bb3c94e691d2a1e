/**
 * Where speech goes: a voice connection that encodes it to 20 ms Opus packets just ahead of playback and plays
 * them as they come.
 * @remarks The playback layer's only view of Discord; `discordVoiceSink.ts` is the one module that uses
 * @discordjs/voice, in a voice thread (see `VoiceThreads`). Which channel the connection is in is the presence
 * owner's business, not the sink's.
 */
export interface VoiceSink {
  /**
   * Plays 24 kHz mono s16le speech as it arrives; resolves when the last of it has been played.
   * Rejects with the source's error; resolves early (after stopping at once) when `signal` aborts.
   */
  play(pcm24kMono: AsyncIterable<Buffer>, signal: AbortSignal): Promise<void>;
  /** Leaves the channel and frees the connection. */
  destroy(): void;
}

/**
 * Joins a voice channel of a guild.
 * @param onGone called when the connection ends for good (kicked, channel deleted, reconnect failed);
 * also after `destroy()`, which the owner that called it ignores.
 */
export type JoinVoice = (guildId: string, channelId: string, onGone: () => void) => Promise<VoiceSink>;
