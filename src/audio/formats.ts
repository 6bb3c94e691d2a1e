/** PCM formats on both sides of the audio pipeline, as named constants with units. */

/** Bytes per s16le sample (one channel). */
export const BYTES_PER_SAMPLE = 2;

/** Sample rate of every TTS engine's output, mono s16le: what DashScope is asked for and streams. */
export const TTS_SAMPLE_RATE_HZ = 24_000;

/** Sample rate Discord voice runs at: the RTP clock, and what its Opus decoders output. */
export const DISCORD_SAMPLE_RATE_HZ = 48_000;
/** Channel count of a Discord voice stream (and of the Ogg files we write): its decoders output stereo. */
export const DISCORD_CHANNELS = 2;

/**
 * Sample rate of the PCM the speech encoder takes: the TTS engines' own, encoded as it arrives.
 *
 * @remarks
 * Opus encodes 24 kHz input natively (super-wideband, all of a 24 kHz source's 12 kHz of audio) and every
 * packet decodes at whatever rate the receiver runs, 48 kHz on Discord; the RTP clock stays 48 kHz whatever the
 * encoder's input rate (RFC 7587 §4.1), so a 20 ms packet still advances the timestamp by 960. Measured here
 * against upsampling to 48 kHz first: −21 % CPU per frame, the same packet size, and a closer waveform
 * (README, "Opus for speech").
 */
export const SPEECH_SAMPLE_RATE_HZ = TTS_SAMPLE_RATE_HZ;
/**
 * Channels the speech path carries and Opus codes: one, since TTS is mono.
 *
 * @remarks
 * An Opus packet says in its TOC byte whether it is mono, and a stereo decoder plays a mono packet on
 * both channels (RFC 6716 §3.1; RFC 7587 lets a sender switch freely). A mono encoder's packets are
 * byte-identical to those of a stereo encoder forced to mono coding over L = R, at ~13 % less CPU.
 */
export const SPEECH_CHANNELS = 1;

/** Duration of one Discord voice packet. */
export const FRAME_MS = 20;
/** Samples per channel one 20 ms packet decodes to at Discord's 48 kHz (its RTP timestamp step, Ogg granules). */
export const FRAME_SAMPLES = (DISCORD_SAMPLE_RATE_HZ * FRAME_MS) / 1000;

/**
 * Encoder delay (pre-skip) of libopus in 48 kHz samples, whatever the input rate: 6.5 ms, Fs/400 + Fs/250.
 *
 * @remarks
 * Neither binding can read OPUS_GET_LOOKAHEAD (their CTL call passes an int, not a pointer), so
 * this is the constant libopus uses for the AUDIO and VOIP applications (156 samples at a 24 kHz input,
 * 312 at 48 kHz; RFC 7845 counts pre-skip at 48 kHz). Tested by aligning a decoded Ogg file with its input.
 */
export const OPUS_PRE_SKIP_SAMPLES = 312;

/** Shape of interleaved s16le PCM. */
export interface PcmFormat {
  sampleRate: number;
  channels: number;
}
