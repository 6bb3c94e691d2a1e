import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import opusBinding from '@discordjs/opus';
import prism from 'prism-media';
import { describe, expect, it } from 'vitest';
import { FRAME_SAMPLES } from '../../src/audio/formats.ts';
import { OPUS_PRE_SKIP_SAMPLES, opusLibrary, SpeechOpusEncoder } from '../../src/audio/opus.ts';
import { channel, chirp, collect, rms, sine, split, toStereo, zeroCrossingFrequency } from './signal.ts';

const HZ = 48_000;

/** Decodes packets with prism-media's opus.Decoder as Discord does (48 kHz stereo). */
async function decode(packets: readonly Buffer[]): Promise<Buffer> {
  const decoder = new prism.opus.Decoder({ rate: HZ, channels: 2, frameSize: FRAME_SAMPLES });
  const out = await collect<Buffer>(Readable.from(packets).pipe(decoder));
  return Buffer.concat(out);
}

function encodeAll(pcm: Buffer, chunkBytes: number): Buffer[] {
  const encoder = new SpeechOpusEncoder();
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

  it('round trip keeps frequency and level; packet count covers duration + look-ahead', async () => {
    for (const samples of [HZ, HZ + 480, HZ + 700]) {
      const input = sine(440, HZ, samples, 10_000);
      const packets = encodeAll(input, 1234);
      expect(packets.length, `${samples} samples`).toBe(Math.ceil((samples + OPUS_PRE_SKIP_SAMPLES) / FRAME_SAMPLES));
      const decoded = await decode(packets);
      expect(decoded.length).toBe(packets.length * FRAME_SAMPLES * 4);
      const left = channel(decoded, 2, 0);
      expect(channel(decoded, 2, 1)).toEqual(left);
      const start = OPUS_PRE_SKIP_SAMPLES + 4800;
      const end = OPUS_PRE_SKIP_SAMPLES + samples - 4800;
      expect(zeroCrossingFrequency(left, HZ, start, end)).toBeCloseTo(440, 0);
      const levelDb = 20 * Math.log10(rms(left, start, end) / (10_000 / Math.SQRT2));
      expect(Math.abs(levelDb)).toBeLessThan(0.5);
    }
  });

  it('is delayed by exactly the pre-skip (312 samples): a chirp lines up to the sample', async () => {
    const input = chirp(200, 8000, HZ, HZ, 10_000);
    const left = channel(await decode(encodeAll(input, 1920)), 2, 0);
    const reference = channel(input, 1, 0);
    const residual = (lag: number): number => {
      let err = 0;
      for (let i = 4800; i < 43_200; i++) err += ((left[i + lag] ?? 0) - (reference[i] ?? 0)) ** 2;
      return 10 * Math.log10(err / 38_400 / rms(reference, 4800, 43_200) ** 2);
    };
    expect(residual(OPUS_PRE_SKIP_SAMPLES)).toBeLessThan(-20);
    expect(residual(OPUS_PRE_SKIP_SAMPLES - 1)).toBeGreaterThan(-10);
    expect(residual(OPUS_PRE_SKIP_SAMPLES + 1)).toBeGreaterThan(-10);
  });

  it('pads the last partial frame: a 5 ms input still comes out', async () => {
    const input = sine(1000, HZ, 240, 10_000);
    const packets = encodeAll(input, 480);
    expect(packets.length).toBe(1);
    const left = channel(await decode(packets), 2, 0);
    expect(rms(left, OPUS_PRE_SKIP_SAMPLES, OPUS_PRE_SKIP_SAMPLES + 240)).toBeGreaterThan(3000);
  });

  it('as a Transform gives the same packets as the synchronous API, tail included', async () => {
    const input = sine(700, HZ, 10_000, 8000);
    const streamed = await collect<Buffer>(Readable.from(split(input, 1000)).pipe(new SpeechOpusEncoder()));
    const direct = encodeAll(input, 1000);
    expect(streamed.length).toBe(direct.length);
    expect(streamed.every((packet, i) => packet.equals(direct[i] ?? Buffer.alloc(0)))).toBe(true);
  });

  it('codes mono packets, byte for byte what a stereo encoder forced to mono makes of L = R', () => {
    const input = chirp(150, 9000, HZ, HZ, 12_000);
    const stereo = new opusBinding.OpusEncoder(HZ, 2);
    stereo.setBitrate(64_000);
    stereo.applyEncoderCTL(4024, 3001); // OPUS_SET_SIGNAL: voice
    stereo.applyEncoderCTL(4022, 1); // OPUS_SET_FORCE_CHANNELS: mono
    const wide = toStereo(input);
    const frames = split(wide, FRAME_SAMPLES * 4).filter((frame) => frame.length === FRAME_SAMPLES * 4);
    const reference = frames.map((frame) => stereo.encode(frame));
    const packets = encodeAll(input, 1920).slice(0, reference.length);
    expect(packets.every((packet) => ((packet[0] ?? 0xff) & 0x04) === 0)).toBe(true);
    expect(packets.every((packet, i) => packet.equals(reference[i] ?? Buffer.alloc(0)))).toBe(true);
  });

  it('encodes nothing for no input, and refuses to encode after destroy', () => {
    const encoder = new SpeechOpusEncoder();
    expect(encoder.finish()).toEqual([]);
    encoder.destroy();
    expect(() => encoder.encode(Buffer.alloc(1920))).toThrow(/destroyed/);
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
      const packets = [...encoder.encode(Buffer.alloc(1920 * 3, 1)), ...encoder.finish()];
      console.log(JSON.stringify({ library: encoder.library, packets: packets.length }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      cwd: new URL('../../', import.meta.url).pathname,
    });
    expect(JSON.parse(stdout)).toEqual({ library: 'opusscript', packets: 4 });
  });
});
