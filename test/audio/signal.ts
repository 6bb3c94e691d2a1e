/** Test signals and measurements for the audio tests (Goertzel, zero crossings, RMS). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A mono s16le sine. */
export function sine(freqHz: number, sampleRate: number, samples: number, amplitude = 10_000): Buffer {
  const out = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) {
    out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * freqHz * i) / sampleRate)), 2 * i);
  }
  return out;
}

/** A mono s16le linear chirp from f0 to f1 (distinct at every lag, for alignment checks). */
export function chirp(f0: number, f1: number, sampleRate: number, samples: number, amplitude = 10_000): Buffer {
  const out = Buffer.alloc(samples * 2);
  const rate = (f1 - f0) / (samples / sampleRate);
  for (let i = 0; i < samples; i++) {
    const t = i / sampleRate;
    out.writeInt16LE(Math.round(amplitude * Math.sin(2 * Math.PI * (f0 * t + (rate * t * t) / 2))), 2 * i);
  }
  return out;
}

/** Mono → interleaved stereo (L = R). */
export function toStereo(mono: Buffer): Buffer {
  const out = Buffer.alloc(mono.length * 2);
  for (let i = 0; i < mono.length / 2; i++) {
    const s = mono.readInt16LE(2 * i);
    out.writeInt16LE(s, 4 * i);
    out.writeInt16LE(s, 4 * i + 2);
  }
  return out;
}

/** One channel of interleaved s16le as floats. */
export function channel(pcm: Buffer, channels: number, index: number): Float64Array {
  const frames = Math.floor(pcm.length / (2 * channels));
  const out = new Float64Array(frames);
  for (let i = 0; i < frames; i++) out[i] = pcm.readInt16LE(2 * (i * channels + index));
  return out;
}

/** Amplitude of the component at freqHz in x[start, start+length), Hann-windowed Goertzel. */
export function toneAmplitude(
  x: Float64Array,
  freqHz: number,
  sampleRate: number,
  start: number,
  length: number,
): number {
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let windowSum = 0;
  for (let i = 0; i < length; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1));
    windowSum += w;
    const s0 = w * (x[start + i] ?? 0) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return (2 * Math.sqrt(Math.max(0, power))) / windowSum;
}

/** Frequency from rising zero crossings (linearly interpolated) over x[start, end). */
export function zeroCrossingFrequency(x: Float64Array, sampleRate: number, start = 0, end = x.length): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = start + 1; i < end; i++) {
    const a = x[i - 1] ?? 0;
    const b = x[i] ?? 0;
    if (a < 0 && b >= 0) {
      const t = i - 1 + a / (a - b);
      if (first < 0) first = t;
      last = t;
      count++;
    }
  }
  return ((count - 1) * sampleRate) / (last - first);
}

/** Root mean square of x[start, end). */
export function rms(x: Float64Array, start = 0, end = x.length): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += (x[i] ?? 0) ** 2;
  return Math.sqrt(sum / (end - start));
}

/** Lag (of b relative to a) in [-maxLag, maxLag] with the largest normalized cross-correlation. */
export function bestLag(a: Float64Array, b: Float64Array, maxLag: number, start: number, length: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let dot = 0;
    for (let i = start; i < start + length; i++) dot += (a[i] ?? 0) * (b[i + lag] ?? 0);
    if (dot > bestScore) {
      bestScore = dot;
      best = lag;
    }
  }
  return best;
}

/** Decodes an audio file with ffmpeg to 48 kHz stereo s16le. */
export async function ffmpegDecode(path: string): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 's16le', '-ac', '2', '-ar', '48000', '-'], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** Deterministic PRNG (mulberry32) for reproducible random splits. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An async iterable over chunks. */
export async function* chunksOf(buffers: readonly Buffer[]): AsyncGenerator<Buffer> {
  for (const buffer of buffers) yield buffer;
}

/** Splits a buffer into fixed-size chunks (the last one shorter). */
export function split(buffer: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < buffer.length; at += size) out.push(buffer.subarray(at, at + size));
  return out;
}

/** Collects an async iterable. */
export async function collect<T>(source: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of source) out.push(item);
  return out;
}
