import type { TransformCallback } from 'node:stream';
import prism from 'prism-media';
import {
  BYTES_PER_SAMPLE,
  DISCORD_SAMPLE_RATE_HZ,
  FRAME_MS,
  OPUS_PRE_SKIP_SAMPLES,
  SPEECH_CHANNELS,
  SPEECH_SAMPLE_RATE_HZ,
} from './formats.ts';

export { OPUS_PRE_SKIP_SAMPLES } from './formats.ts';

/** Sample rates the speech encoder takes: the TTS engines' 24 kHz, or 48 kHz PCM (the benchmarks' baseline). */
export type SpeechInputRate = typeof SPEECH_SAMPLE_RATE_HZ | typeof DISCORD_SAMPLE_RATE_HZ;

/** Opus libraries prism-media can load, in the order it tries them. */
export type OpusLibrary = '@discordjs/opus' | 'node-opus' | 'opusscript';

/** Encoder settings; see {@link SPEECH_OPUS_SETTINGS} for the chosen values and why. */
export interface OpusSettings {
  bitrateBps: number;
  /** libopus complexity, 0–10: {@link FULL_COMPLEXITY} or, under load, {@link ECONOMY_COMPLEXITY}. */
  complexity: number;
  /** In-band forward error correction (needs packetLossPercent > 0 to do anything). */
  fec: boolean;
  packetLossPercent: number;
}

/** libopus's highest complexity, its default: the best the encoder does. */
export const FULL_COMPLEXITY = 10;
/**
 * The complexity a loaded voice thread steps down to (see `OpusComplexityGovernor`): −25 % CPU per frame, −0.4 dB.
 * @remarks Measured on this machine over speech (espeak-ng, 24 kHz mono, 64 kb/s; µs per frame, SNR of the decoded
 * audio): 7–10 cost the same (71–75 µs, 22.5–22.6 dB) because from 7 up libopus runs its tonality analysis; 5–6 skip
 * it (56–58 µs, 22.2 dB); 4 and below drop CELT's pitch pre-filter as well (36 µs, 20.7 dB: a 2 dB drop).
 */
export const ECONOMY_COMPLEXITY = 6;

/**
 * Settings for TTS speech sent to Discord.
 *
 * @remarks
 * Measured on this machine with @discordjs/opus at a 48 kHz input (µs per 20 ms frame): default ~99 kb/s stereo 118;
 * 64 kb/s stereo 107; 64 kb/s coded mono 86; 64 kb/s + FEC with 5 % loss ~300 (FEC with any loss > 0
 * forces SILK/hybrid mode, ~3× the CPU of CELT). So: 64 kb/s (ample for speech, cheaper than the
 * default), mono (the source is mono: all bits go to the one real channel, −20 % CPU; the stereo
 * decoder duplicates it; a mono encoder over mono input costs ~13 % less again than a stereo one
 * forced to code L = R as mono, for byte-identical packets: see SPEECH_CHANNELS), FEC off with 0 %
 * expected loss (the bot's link to Discord's servers is a datacentre uplink; tripling the CPU per
 * stream would cut streams per core to a third). The signal type stays automatic: hinting VOICE made no difference
 * at complexity 10 and below it tipped 64 kb/s mono into hybrid mode, 2.5–3× the CPU (64 kb/s sits on libopus's
 * voice threshold); automatic, the encoder codes speech as CELT at every complexity. Encoding the TTS's 24 kHz as it
 * is costs ~14 % less than the 48 kHz encode, and saves the upsampler too (`bench/audio.ts` (a)).
 */
export const SPEECH_OPUS_SETTINGS: Readonly<OpusSettings> = {
  bitrateBps: 64_000,
  complexity: FULL_COMPLEXITY,
  fec: false,
  packetLossPercent: 0,
};

const CTL_SET_COMPLEXITY = 4010;

interface OpusCodec {
  encode(pcm: Buffer, frameSize: number): Buffer;
  applyEncoderCTL?(ctl: number, value: number): void;
  encoderCTL?(ctl: number, value: number): void;
}

/**
 * Opus encoder for mono s16le speech (24 kHz by default), 20 ms frames, over prism-media's `opus.Encoder`.
 *
 * @remarks
 * prism-media picks the codec: native @discordjs/opus if it loads, else node-opus, else opusscript
 * (wasm); {@link SpeechOpusEncoder.library} says which. Usable as a `Transform` (PCM in, one
 * packet per object out) or synchronously with {@link SpeechOpusEncoder.encode} /
 * {@link SpeechOpusEncoder.finish}. prism's own `_final` drops the last partial frame; this class
 * pads it with silence instead, and adds one silent frame when the padding is shorter than the
 * encoder's 6.5 ms look-ahead, so the end of the audio is never lost.
 */
export class SpeechOpusEncoder extends prism.opus.Encoder {
  readonly #frameSamples: number;
  readonly #frameBytes: number;
  /** The encoder's look-ahead in input samples. */
  readonly #lookahead: number;
  readonly #frame: Buffer;
  #filled = 0;
  #started = false;

  constructor(
    settings: Readonly<OpusSettings> = SPEECH_OPUS_SETTINGS,
    inputRateHz: SpeechInputRate = SPEECH_SAMPLE_RATE_HZ,
  ) {
    const frameSamples = (inputRateHz * FRAME_MS) / 1000;
    // `application` is read by prism-media but missing from its OpusOptions type, hence no inline literal.
    const options = { rate: inputRateHz, channels: SPEECH_CHANNELS, frameSize: frameSamples, application: 'AUDIO' };
    super(options);
    this.#frameSamples = frameSamples;
    this.#frameBytes = frameSamples * SPEECH_CHANNELS * BYTES_PER_SAMPLE;
    this.#lookahead = (OPUS_PRE_SKIP_SAMPLES * inputRateHz) / DISCORD_SAMPLE_RATE_HZ;
    this.#frame = Buffer.alloc(this.#frameBytes);
    this.setBitrate(settings.bitrateBps);
    this.setFEC(settings.fec);
    this.setPLP(settings.packetLossPercent / 100);
    this.setComplexity(settings.complexity);
  }

  /** The Opus library prism-media loaded. */
  get library(): OpusLibrary {
    return prism.opus.Encoder.type;
  }

  /** Sets libopus's complexity (0–10) for the frames encoded from now on; a stream may change it at any frame. */
  setComplexity(complexity: number): void {
    if (!Number.isInteger(complexity) || complexity < 0 || complexity > 10)
      throw new RangeError(`Opus complexity must be a whole number from 0 to 10, got ${complexity}`);
    this.#ctl(CTL_SET_COMPLEXITY, complexity);
  }

  /** Encodes every complete 20 ms frame the chunk finishes; keeps the remainder. */
  encode(pcm: Buffer): Buffer[] {
    const packets: Buffer[] = [];
    const frameBytes = this.#frameBytes;
    let at = 0;
    while (at < pcm.length) {
      if (this.#filled === 0 && pcm.length - at >= frameBytes) {
        packets.push(this.#encodeFrame(pcm.subarray(at, at + frameBytes)));
        at += frameBytes;
        continue;
      }
      const copied = pcm.copy(this.#frame, this.#filled, at);
      this.#filled += copied;
      at += copied;
      if (this.#filled === frameBytes) {
        packets.push(this.#encodeFrame(this.#frame));
        this.#filled = 0;
      }
    }
    return packets;
  }

  /** Pads and encodes what is left, flushing the look-ahead; returns the final packets. */
  finish(): Buffer[] {
    if (!this.#started && this.#filled === 0) return [];
    const padSamples = (this.#frameBytes - this.#filled) / (this.#frameBytes / this.#frameSamples);
    const packets: Buffer[] = [];
    if (this.#filled > 0) {
      this.#frame.fill(0, this.#filled);
      packets.push(this.#encodeFrame(this.#frame));
      this.#filled = 0;
    }
    if (padSamples % this.#frameSamples < this.#lookahead) {
      packets.push(this.#encodeFrame(Buffer.alloc(this.#frameBytes)));
    }
    return packets;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      for (const packet of this.encode(chunk)) this.push(packet);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  /** Replaces prism's `_final` (which frees the codec and drops the tail); `destroy` frees it. */
  override _final(done: (error?: Error | null) => void): void {
    try {
      for (const packet of this.finish()) this.push(packet);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  #codec(): OpusCodec {
    const codec = this.encoder as OpusCodec | null;
    if (codec === null || this.destroyed) throw new Error('Opus encoder already destroyed');
    return codec;
  }

  #encodeFrame(frame: Buffer): Buffer {
    this.#started = true;
    return this.#codec().encode(frame, this.#frameSamples);
  }

  #ctl(ctl: number, value: number): void {
    const codec = this.#codec();
    (codec.applyEncoderCTL ?? codec.encoderCTL)?.call(codec, ctl, value);
  }
}

/** Which Opus library prism-media uses in this process (loads it if needed). */
export function opusLibrary(): OpusLibrary {
  const probe = new SpeechOpusEncoder();
  const library = probe.library;
  probe.destroy();
  return library;
}
