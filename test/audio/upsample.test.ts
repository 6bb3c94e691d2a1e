import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import {
  halfBandPrototype,
  UPSAMPLE_DELAY_MS,
  UPSAMPLE_DELAY_SAMPLES,
  UPSAMPLE_TAPS,
  Upsampler,
  UpsampleStream,
} from '../../src/audio/upsample.ts';
import { channel, prng, sine, toneAmplitude } from './signal.ts';

const IN_HZ = 24_000;
const OUT_HZ = 48_000;
const SWEEP_HZ = [200, 300, 500, 700, 1000, 1500, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 9500, 10_000];

function upsampleAll(input: Buffer): Buffer {
  const up = new Upsampler();
  return Buffer.concat([up.push(input), up.flush()]);
}

function db(ratio: number): number {
  return 20 * Math.log10(ratio);
}

describe('Upsampler (24 kHz mono → 48 kHz mono half-band interpolator)', () => {
  it('is a 63-tap half-band: every second tap zero except the centre, which is 1', () => {
    const h = halfBandPrototype();
    expect(h.length).toBe(UPSAMPLE_TAPS);
    for (let n = 0; n < h.length; n++) {
      const offset = n - UPSAMPLE_DELAY_SAMPLES;
      if (offset === 0) expect(h[n]).toBeCloseTo(1, 12);
      else if (offset % 2 === 0) expect(Math.abs(h[n] ?? 1)).toBeLessThan(1e-15);
      else expect(Math.abs(h[n] ?? 0)).toBeGreaterThan(1e-6);
    }
  });

  it('sweep 200 Hz–10 kHz: gain within ±0.5 dB, image at 24 kHz − f ≥ 60 dB down', () => {
    const amplitude = 10_000;
    let worstGain = 0;
    let worstImage = -Infinity;
    for (const f of SWEEP_HZ) {
      const input = sine(f, IN_HZ, 4800, amplitude);
      const out = channel(upsampleAll(input), 1, 0);
      const inAmp = toneAmplitude(channel(input, 1, 0), f, IN_HZ, 600, 3600);
      const gain = db(toneAmplitude(out, f, OUT_HZ, 1200, 7200) / inAmp);
      const image = db(toneAmplitude(out, IN_HZ - f, OUT_HZ, 1200, 7200) / inAmp);
      expect(Math.abs(gain), `gain at ${f} Hz`).toBeLessThanOrEqual(0.5);
      expect(image, `image of ${f} Hz at ${IN_HZ - f} Hz`).toBeLessThanOrEqual(-60);
      worstGain = Math.max(worstGain, Math.abs(gain));
      worstImage = Math.max(worstImage, image);
    }
    console.info(`upsampler: passband |gain| ≤ ${worstGain.toFixed(4)} dB, images ≤ ${worstImage.toFixed(1)} dB`);
  });

  it('delays an impulse by the group delay (31 samples ≈ 0.65 ms at 48 kHz)', () => {
    const input = Buffer.alloc(200);
    input.writeInt16LE(16_000, 0);
    const left = channel(upsampleAll(input), 1, 0);
    let peak = 0;
    for (let i = 0; i < left.length; i++) if (Math.abs(left[i] ?? 0) > Math.abs(left[peak] ?? 0)) peak = i;
    expect(peak).toBe(UPSAMPLE_DELAY_SAMPLES);
    expect(left[peak]).toBe(16_000);
    expect(UPSAMPLE_DELAY_MS).toBeCloseTo(0.646, 3);
  });

  it('matches direct convolution with the zero-stuffed prototype (clamped, ±1 LSB)', () => {
    const rand = prng(7);
    const samples = 3000;
    const input = Buffer.alloc(samples * 2);
    for (let i = 0; i < samples; i++) input.writeInt16LE(Math.round((rand() * 2 - 1) * 32_767), 2 * i);
    const h = halfBandPrototype();
    const out = channel(upsampleAll(input), 1, 0);
    expect(out.length).toBe(2 * (samples + 16));
    for (let n = 0; n < out.length; n++) {
      let acc = 0;
      for (let j = n % 2 === 0 ? 0 : 1; j < h.length; j += 2) {
        const m = (n - j) / 2;
        if (m >= 0 && m < samples) acc += (h[j] ?? 0) * input.readInt16LE(2 * m);
      }
      const expected = Math.max(-32_768, Math.min(32_767, Math.round(acc)));
      expect(Math.abs((out[n] ?? 0) - expected), `sample ${n}`).toBeLessThanOrEqual(1);
    }
  });

  it('gives byte-identical output for any split of the input, odd byte counts included', () => {
    const input = sine(1234, IN_HZ, 5000);
    const whole = upsampleAll(input);
    const rand = prng(42);
    for (let trial = 0; trial < 20; trial++) {
      const up = new Upsampler();
      const parts: Buffer[] = [];
      for (let at = 0; at < input.length; ) {
        const size = Math.floor(rand() * (trial < 10 ? 8 : 3000));
        parts.push(up.push(input.subarray(at, at + size)));
        at += size;
      }
      parts.push(up.flush());
      expect(Buffer.concat(parts).equals(whole), `trial ${trial}`).toBe(true);
    }
  });

  it('resets after flush, so one instance can upsample a second utterance identically', () => {
    const input = sine(440, IN_HZ, 1000);
    const up = new Upsampler();
    const first = Buffer.concat([up.push(input.subarray(0, 301)), up.flush()]);
    const second = Buffer.concat([up.push(input), up.flush()]);
    expect(second.equals(upsampleAll(input))).toBe(true);
    expect(first.length).toBe(4 * (150 + 16));
  });

  it('pushTransient gives the same bytes as push, in a buffer the next call reuses', () => {
    const input = sine(2500, IN_HZ, 2000);
    const a = new Upsampler();
    const b = new Upsampler();
    const first = b.pushTransient(input.subarray(0, 2001));
    expect(Buffer.from(first).equals(a.push(input.subarray(0, 2001)))).toBe(true);
    const second = b.pushTransient(input.subarray(2001));
    expect(Buffer.from(second).equals(a.push(input.subarray(2001)))).toBe(true);
    expect(first.buffer).toBe(second.buffer);
  });

  it('has no tail when idle: flush before any input (or twice) is empty', () => {
    const up = new Upsampler();
    expect(up.flush().length).toBe(0);
    up.push(Buffer.alloc(100));
    expect(up.flush().length).toBe(4 * 16);
    expect(up.flush().length).toBe(0);
  });

  it('UpsampleStream produces the same bytes as push + flush', async () => {
    const input = sine(3000, IN_HZ, 2400);
    const chunks = [input.subarray(0, 777), input.subarray(777, 3001), input.subarray(3001)];
    const streamed = await buffer(Readable.from(chunks).pipe(new UpsampleStream()));
    expect(streamed.equals(upsampleAll(input))).toBe(true);
  });

  it('costs well under 100 µs of CPU per 20 ms of output (budget ~20 µs)', () => {
    const input = sine(1000, IN_HZ, 480 * 250);
    const up = new Upsampler();
    for (let i = 0; i < 250; i++) up.push(input.subarray(i * 960, (i + 1) * 960));
    const start = process.cpuUsage();
    for (let i = 0; i < 250; i++) up.push(input.subarray(i * 960, (i + 1) * 960));
    const used = process.cpuUsage(start);
    const perFrameUs = (used.user + used.system) / 250;
    console.info(`upsampler: ${perFrameUs.toFixed(1)} µs CPU per 20 ms frame`);
    expect(perFrameUs).toBeLessThan(100);
  });
});
