/**
 * Where audio goes: a voice connection that plays 20 ms Opus packets (48 kHz, mono-coded in Discord's stereo
 * stream) as they arrive.
 * @remarks The playback layer's only view of Discord; `discordVoiceSink.ts` is the one module that uses
 * @discordjs/voice. Which channel the connection is in is the presence owner's business, not the sink's.
 */
export interface VoiceSink {
  /**
   * Plays packets as they arrive; resolves when the last one has been played.
   * Rejects with the source's error; resolves early (after stopping at once) when `signal` aborts.
   */
  play(opusPackets: AsyncIterable<Buffer>, signal: AbortSignal): Promise<void>;
  /** Leaves the channel and frees the connection. */
  destroy(): void;
}

/**
 * Joins a voice channel of a guild.
 * @param onGone called when the connection ends for good (kicked, channel deleted, reconnect failed);
 * also after `destroy()`, which the owner that called it ignores.
 */
export type JoinVoice = (guildId: string, channelId: string, onGone: () => void) => Promise<VoiceSink>;
