import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import opusBinding from '@discordjs/opus';
import prism from 'prism-media';
import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../../src/audio/formats.ts';
import {
  ECONOMY_COMPLEXITY,
  OPUS_PRE_SKIP_SAMPLES,
  opusLibrary,
  SPEECH_OPUS_SETTINGS,
  type SpeechInputRate,
  SpeechOpusEncoder,
} from '../../src/audio/opus.ts';
import { channel, chirp, collect, rms, sine, split, toneAmplitude, toStereo, zeroCrossingFrequency } from './signal.ts';

/** The encoder's input rate (the TTS's) and Discord's decoding rate. */
const IN_HZ = 24_000;
const HZ = 48_000;

/** Decodes packets with prism-media's opus.Decoder as Discord does (48 kHz stereo). */
async function decode(packets: readonly Buffer[]): Promise<Buffer> {
  const decoder = new prism.opus.Decoder({ rate: HZ, channels: 2, frameSize: FRAME_SAMPLES });
  const out = await collect<Buffer>(Readable.from(packets).pipe(decoder));
  return Buffer.concat(out);
}

function encodeAll(
  pcm: Buffer,
  chunkBytes: number,
  inputRateHz: SpeechInputRate = IN_HZ,
  complexity = SPEECH_OPUS_SETTINGS.complexity,
): Buffer[] {
  const encoder = new SpeechOpusEncoder({ ...SPEECH_OPUS_SETTINGS, complexity }, inputRateHz);
  const packets = split(pcm, chunkBytes).flatMap((chunk) => encoder.encode(chunk));
  packets.push(...encoder.finish());
  encoder.destroy();
  return packets;
}

describe('SpeechOpusEncoder', () => {
  it('uses the native @discordjs/opus when it loads', () => {
    expect(opusLibrary()).toBe('@discordjs/opus');
    expect(new SpeechOpusEncoder().library).toBe('@discordjs/opus');
  });

  it('takes 24 kHz, decodes at 48 kHz: frequency and level kept; packets cover duration + look-ahead', async () => {
    for (const samples of [IN_HZ, IN_HZ + 240, IN_HZ + 350]) {
      const input = sine(440, IN_HZ, samples, 10_000);
      const packets = encodeAll(input, 1234);
      const decodedSamples = (samples * HZ) / IN_HZ;
      expect(packets.length, `${samples} samples`).toBe(
        Math.ceil((decodedSamples + OPUS_PRE_SKIP_SAMPLES) / FRAME_SAMPLES),
      );
      const decoded = await decode(packets);
      expect(decoded.length).toBe(packets.length * FRAME_SAMPLES * 4);
      const left = channel(decoded, 2, 0);
      expect(channel(decoded, 2, 1)).toEqual(left);
      const start = OPUS_PRE_SKIP_SAMPLES + 4800;
      const end = OPUS_PRE_SKIP_SAMPLES + decodedSamples - 4800;
      expect(zeroCrossingFrequency(left, HZ, start, end)).toBeCloseTo(440, 0);
      const levelDb = 20 * Math.log10(rms(left, start, end) / (10_000 / Math.SQRT2));
      expect(Math.abs(levelDb)).toBeLessThan(0.5);
    }
  });

  it('is delayed by the pre-skip (312 samples at 48 kHz) from either input rate: a chirp lines up', async () => {
    const reference = channel(chirp(200, 8000, HZ, HZ, 10_000), 1, 0);
    for (const inputRateHz of [IN_HZ, HZ] as const) {
      const input = chirp(200, 8000, inputRateHz, inputRateHz, 10_000);
      const left = channel(await decode(encodeAll(input, 1920, inputRateHz)), 2, 0);
      const residual = (lag: number): number => {
        let err = 0;
        for (let i = 4800; i < 43_200; i++) err += ((left[i + lag] ?? 0) - (reference[i] ?? 0)) ** 2;
        return 10 * Math.log10(err / 38_400 / rms(reference, 4800, 43_200) ** 2);
      };
      expect(residual(OPUS_PRE_SKIP_SAMPLES), `${inputRateHz} Hz`).toBeLessThan(-20);
      expect(residual(OPUS_PRE_SKIP_SAMPLES - 1), `${inputRateHz} Hz`).toBeGreaterThan(-10);
      expect(residual(OPUS_PRE_SKIP_SAMPLES + 1), `${inputRateHz} Hz`).toBeGreaterThan(-10);
    }
  });

  it('codes all of a 24 kHz source: an 11 kHz tone keeps its level, in super-wideband CELT packets', async () => {
    const input = sine(11_000, IN_HZ, IN_HZ, 10_000);
    const packets = encodeAll(input, 960);
    expect(packets.every((packet) => (packet[0] ?? 0) >> 3 === 27)).toBe(true); // CELT-only, SWB, 20 ms
    const left = channel(await decode(packets), 2, 0);
    const levelDb = 20 * Math.log10(toneAmplitude(left, 11_000, HZ, 9600, 19_200) / 10_000);
    expect(Math.abs(levelDb)).toBeLessThan(1);
  });

  it('encodes at its complexity, which may change at any frame; economy stays CELT, keeps tone and level', async () => {
    const speechBand = chirp(150, 9000, IN_HZ, IN_HZ, 12_000);
    const full = encodeAll(speechBand, 960);
    const economy = encodeAll(speechBand, 960, IN_HZ, ECONOMY_COMPLEXITY);
    expect(economy.length).toBe(full.length);
    expect(economy.filter((packet, i) => !packet.equals(full[i] as Buffer)).length).toBeGreaterThan(full.length / 2);
    // CELT only (TOC config 16 and up): below 7, a VOICE hint would have tipped 64 kb/s mono into hybrid mode.
    expect(economy.every((packet) => (packet[0] ?? 0) >> 3 >= 16)).toBe(true);

    const encoder = new SpeechOpusEncoder();
    const frames = split(speechBand, 960);
    const switched = frames.slice(0, 10).flatMap((frame) => encoder.encode(frame));
    encoder.setComplexity(ECONOMY_COMPLEXITY);
    switched.push(...frames.slice(10).flatMap((frame) => encoder.encode(frame)), ...encoder.finish());
    expect(switched.slice(0, 10)).toEqual(full.slice(0, 10));
    expect(switched.slice(10).some((packet, i) => !packet.equals(full[10 + i] as Buffer))).toBe(true);
    expect(() => encoder.setComplexity(11)).toThrow(RangeError);
    encoder.destroy();

    const left = channel(await decode(encodeAll(sine(440, IN_HZ, IN_HZ, 10_000), 960, IN_HZ, 6)), 2, 0);
    const start = OPUS_PRE_SKIP_SAMPLES + 4800;
    const end = OPUS_PRE_SKIP_SAMPLES + 2 * IN_HZ - 4800;
    expect(zeroCrossingFrequency(left, HZ, start, end)).toBeCloseTo(440, 0);
    expect(Math.abs(20 * Math.log10(rms(left, start, end) / (10_000 / Math.SQRT2)))).toBeLessThan(0.5);
  });

  it('pads the last partial frame: a 5 ms input still comes out', async () => {
    const input = sine(1000, IN_HZ, 120, 10_000);
    const packets = encodeAll(input, 240);
    expect(packets.length).toBe(1);
    const left = channel(await decode(packets), 2, 0);
    expect(rms(left, OPUS_PRE_SKIP_SAMPLES, OPUS_PRE_SKIP_SAMPLES + 240)).toBeGreaterThan(3000);
  });

  it('as a Transform gives the same packets as the synchronous API, tail included', async () => {
    const input = sine(700, IN_HZ, 10_000, 8000);
    const streamed = await collect<Buffer>(Readable.from(split(input, 1000)).pipe(new SpeechOpusEncoder()));
    const direct = encodeAll(input, 1000);
    expect(streamed.length).toBe(direct.length);
    expect(streamed.every((packet, i) => packet.equals(direct[i] ?? Buffer.alloc(0)))).toBe(true);
  });

  it('codes mono packets, byte for byte what a stereo encoder forced to mono makes of L = R', () => {
    const input = chirp(150, 9000, IN_HZ, IN_HZ, 12_000);
    const stereo = new opusBinding.OpusEncoder(IN_HZ, 2);
    stereo.setBitrate(64_000);
    stereo.applyEncoderCTL(4022, 1); // OPUS_SET_FORCE_CHANNELS: mono
    const wide = toStereo(input);
    const frameBytes = (IN_HZ / 50) * 4;
    const frames = split(wide, frameBytes).filter((frame) => frame.length === frameBytes);
    const reference = frames.map((frame) => stereo.encode(frame));
    const packets = encodeAll(input, 1920).slice(0, reference.length);
    expect(packets.every((packet) => ((packet[0] ?? 0xff) & 0x04) === 0)).toBe(true);
    expect(packets.every((packet, i) => packet.equals(reference[i] ?? Buffer.alloc(0)))).toBe(true);
  });

  it('encodes nothing for no input, and refuses to encode after destroy', () => {
    const encoder = new SpeechOpusEncoder();
    expect(encoder.finish()).toEqual([]);
    encoder.destroy();
    expect(() => encoder.encode(Buffer.alloc(960))).toThrow(/destroyed/);
  });

  it('falls back to opusscript (wasm) when @discordjs/opus cannot load', async () => {
    const script = `
      import { registerHooks } from 'node:module';
      registerHooks({ resolve(specifier, context, next) {
        if (specifier === '@discordjs/opus') throw new Error('blocked for the test');
        return next(specifier, context);
      } });
      const { SpeechOpusEncoder } = await import('./src/audio/opus.ts');
      const encoder = new SpeechOpusEncoder();
      const packets = [...encoder.encode(Buffer.alloc(960 * 3, 1)), ...encoder.finish()];
      console.log(JSON.stringify({ library: encoder.library, packets: packets.length }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../', import.meta.url).pathname,
    });
    expect(JSON.parse(stdout)).toEqual({ library: 'opusscript', packets: 4 });
  });
});
