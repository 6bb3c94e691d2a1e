/**
 * Workloads for bench/audio.ts: a speech-like signal, our pipeline (Opus straight from 24 kHz), and the baselines
 * that resample to 48 kHz first (prism-media's FFmpeg, the encoder at 48 kHz).
 */

import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import prism from 'prism-media';
import { SPEECH_OPUS_SETTINGS, type SpeechInputRate, SpeechOpusEncoder } from '../src/audio/opus.ts';
import { toOpusPackets } from '../src/audio/pipeline.ts';

/** Bytes of 20 ms of 24 kHz mono s16le. */
export const CHUNK_24K_BYTES = 960;
const CLOCK_TICKS_PER_S = 100;

/** `-loglevel 0`, because prism-media never reads ffmpeg's stderr (a full pipe would stall it). */
export const FFMPEG_ARGS = [
  '-loglevel',
  '0',
  '-f',
  's16le',
  '-ar',
  '24000',
  '-ac',
  '1',
  '-i',
  '-',
  '-f',
  's16le',
  '-ar',
  '48000',
  '-ac',
  '1',
];
/** The same with probing cut short, the best case for ffmpeg's start-up latency. */
export const FFMPEG_FAST_ARGS = ['-probesize', '32', '-analyzeduration', '0', ...FFMPEG_ARGS];

/** Speech-like 24 kHz mono s16le: a gliding voiced source through three formants, syllable-rate AM. */
export function speechLike(seconds: number): Buffer {
  const rate = 24_000;
  const out = Buffer.alloc(seconds * rate * 2);
  let phase = 0;
  for (let i = 0; i < seconds * rate; i++) {
    const t = i / rate;
    const f0 = 150 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / rate;
    let v = 0;
    for (let k = 1; k * f0 < 10_000; k++) {
      const f = k * f0;
      const env = Math.exp(-(((f - 700) / 400) ** 2)) + 0.6 * Math.exp(-(((f - 1800) / 500) ** 2)) + 0.02;
      v += (env * Math.sin(k * phase)) / k ** 0.3;
    }
    const syllable = 0.5 + 0.5 * Math.sin(2 * Math.PI * 4 * t);
    out.writeInt16LE(Math.max(-32_768, Math.min(32_767, Math.round(v * syllable * 3000))), 2 * i);
  }
  return out;
}

/** 24 kHz mono s16le resampled to 48 kHz mono by ffmpeg (with {@link FFMPEG_ARGS}), in one go. */
export function ffmpegTo48k(pcm24k: Buffer): Buffer {
  return execFileSync('ffmpeg', [...FFMPEG_ARGS, 'pipe:1'], { input: pcm24k, maxBuffer: 4 * pcm24k.length + 1024 });
}

/** The 20 ms chunks of a buffer. */
export function chunks(pcm: Buffer, bytes = CHUNK_24K_BYTES): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + bytes <= pcm.length; at += bytes) out.push(pcm.subarray(at, at + bytes));
  return out;
}

/** CPU time of reaped children of this process (cutime + cstime), in µs. */
export function childrenCpuUs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1e6) / CLOCK_TICKS_PER_S;
}

/** CPU time of this process, in µs. */
export function selfCpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}

/** CPU time of the calling thread, in µs. */
export function threadCpuUs(): number {
  const { user, system } = process.threadCpuUsage();
  return user + system;
}

/**
 * Thread CPU one pass of {@link threadUsPerStep} runs for, at least, µs. Linux reads a running thread's own CPU
 * time stale by up to a scheduler tick (4 ms here: one pass over 5 s of audio read 64, 72 or 80 µs per frame, never
 * between), so a pass must be long for that to stay under 1 %.
 */
export const PASS_CPU_US = 400_000;

/**
 * Thread CPU per call of `step` on this thread, µs: the median of three passes after one to warm up, each calling it
 * in batches of `batch` (awaiting `settle` after each, for work a step leaves to later ticks) until the pass has used
 * {@link PASS_CPU_US}.
 * @remarks Thread CPU, so other threads do not count here; read once a batch, since the read is a system call.
 */
export async function threadUsPerStep(step: () => void, settle?: () => Promise<void>, batch = 100): Promise<number> {
  const pass = async (): Promise<number> => {
    const before = threadCpuUs();
    let steps = 0;
    let used = 0;
    do {
      for (let i = 0; i < batch; i++) step();
      steps += batch;
      if (settle !== undefined) await settle();
      used = threadCpuUs() - before;
    } while (used < PASS_CPU_US);
    return used / steps;
  };
  await pass();
  return [await pass(), await pass(), await pass()].sort((a, b) => a - b)[1] as number;
}

/**
 * CPU per 20 ms frame of the audio stage alone (Opus encoding of `input`, mono 20 ms chunks at `inputRateHz`, at
 * `complexity`, on this thread, warm), µs, as {@link threadUsPerStep} measures it.
 */
export async function audioStageUsPerFrame(
  input: readonly Buffer[],
  complexity = SPEECH_OPUS_SETTINGS.complexity,
  inputRateHz: SpeechInputRate = 24_000,
): Promise<number> {
  const frameBytes = (CHUNK_24K_BYTES * inputRateHz) / 24_000;
  if (input.length === 0 || input.some((chunk) => chunk.length !== frameBytes))
    throw new Error('the audio stage input must be whole 20 ms chunks');
  const encoder = new SpeechOpusEncoder({ ...SPEECH_OPUS_SETTINGS, complexity }, inputRateHz);
  let i = 0;
  try {
    return await threadUsPerStep(() => void encoder.encode(input[i++ % input.length] as Buffer));
  } finally {
    encoder.destroy();
  }
}

/** Runs PCM through prism.FFmpeg to 48 kHz (as fast as it goes) and the Opus encoder at 48 kHz; CPU µs used. */
export async function ffmpegPipelineCpu(
  pcmChunks: readonly Buffer[],
  args = FFMPEG_ARGS,
): Promise<{ self: number; child: number; packets: number }> {
  const self0 = selfCpuUs();
  const child0 = childrenCpuUs();
  const ffmpeg = new prism.FFmpeg({ args: [...args] });
  const exited = once(ffmpeg.process, 'close');
  const encoder = new SpeechOpusEncoder(undefined, 48_000);
  let packets = 0;
  encoder.on('data', () => packets++);
  Readable.from(pcmChunks).pipe(ffmpeg);
  ffmpeg.pipe(encoder);
  await once(encoder, 'end');
  await exited;
  return { self: selfCpuUs() - self0, child: childrenCpuUs() - child0, packets };
}

/** Source that yields 20 ms chunks every 20 ms; calls onFirst just before the first one. */
async function* realTime(pcmChunks: readonly Buffer[], onFirst: () => void): AsyncGenerator<Buffer> {
  const start = performance.now();
  for (const [i, chunk] of pcmChunks.entries()) {
    const wait = start + 20 * i - performance.now();
    if (wait > 0) await sleep(wait);
    if (i === 0) onFirst();
    yield chunk;
  }
}

/** ms from the first real-time 20 ms chunk in to the first Opus packet out of toOpusPackets. */
export async function ourFirstPacketMs(pcmChunks: readonly Buffer[]): Promise<number> {
  let first = 0;
  for await (const _packet of toOpusPackets(realTime(pcmChunks, () => (first = performance.now())))) {
    return performance.now() - first;
  }
  return Number.NaN;
}

/** ms from the first real-time chunk written to prism.FFmpeg to the first Opus packet out (or timeout). */
export async function ffmpegFirstPacketMs(
  pcmChunks: readonly Buffer[],
  args: readonly string[],
  timeoutMs: number,
): Promise<number> {
  const ffmpeg = new prism.FFmpeg({ args: [...args] });
  const exited = once(ffmpeg.process, 'close');
  ffmpeg.on('error', () => {});
  const encoder = new SpeechOpusEncoder(undefined, 48_000);
  ffmpeg.pipe(encoder);
  let first = 0;
  let stopped = false;
  const firstPacket = once(encoder, 'data').then(() => performance.now() - first);
  const timeout = sleep(timeoutMs).then(() => Number.POSITIVE_INFINITY);
  const feeding = (async () => {
    for await (const chunk of realTime(pcmChunks, () => (first = performance.now()))) {
      if (stopped) return;
      ffmpeg.write(chunk);
    }
  })();
  const ms = await Promise.race([firstPacket, timeout]);
  stopped = true;
  ffmpeg.process.kill('SIGKILL');
  encoder.destroy();
  await Promise.allSettled([exited, feeding]);
  return ms;
}
