/** PCM formats on both sides of the audio pipeline, as named constants with units. */

/** Bytes per s16le sample (one channel). */
export const BYTES_PER_SAMPLE = 2;

/** Sample rate of every TTS engine's output, mono s16le: what DashScope is asked for and streams. */
export const TTS_SAMPLE_RATE_HZ = 24_000;

/** Sample rate Discord voice (Opus) runs at. */
export const DISCORD_SAMPLE_RATE_HZ = 48_000;
/** Channel count of a Discord voice stream (and of the Ogg files we write): its decoders output stereo. */
export const DISCORD_CHANNELS = 2;
/**
 * Channels the speech path carries at 48 kHz and Opus codes: one, since TTS is mono.
 *
 * @remarks
 * An Opus packet says in its TOC byte whether it is mono, and a stereo decoder plays a mono packet on
 * both channels (RFC 6716 §3.1; RFC 7587 lets a sender switch freely). A mono encoder's packets are
 * byte-identical to those of a stereo encoder forced to mono coding over L = R, at ~13 % less CPU.
 */
export const SPEECH_CHANNELS = 1;

/** Duration of one Discord voice packet. */
export const FRAME_MS = 20;
/** Samples per channel in one 20 ms frame at 48 kHz. */
export const FRAME_SAMPLES = (DISCORD_SAMPLE_RATE_HZ * FRAME_MS) / 1000;
/** Bytes of 48 kHz mono s16le PCM in one 20 ms frame: what the speech encoder takes. */
export const FRAME_BYTES = FRAME_SAMPLES * SPEECH_CHANNELS * BYTES_PER_SAMPLE;

/**
 * Encoder delay (pre-skip) of libopus at 48 kHz, in samples: Fs/400 + Fs/250 = 120 + 192.
 *
 * @remarks
 * Neither binding can read OPUS_GET_LOOKAHEAD (their CTL call passes an int, not a pointer), so
 * this is the constant libopus uses for the AUDIO and VOIP applications (tested by aligning a
 * decoded Ogg file with its input).
 */
export const OPUS_PRE_SKIP_SAMPLES = 312;

/** Shape of interleaved s16le PCM. */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
}
