/**
 * Audio pipeline benchmark: `node bench/audio.ts`. Every ratio compares figures measured in this run.
 *
 * (a) CPU per stream per 20 ms: our upsampler + Opus vs prism.FFmpeg resampling + the same Opus
 *     encoder (ffmpeg's own CPU read from /proc/self/stat once the child is reaped).
 * (b) Streams one core keeps up with, no 20 ms frame late, vs Opus encoding alone.
 * (c) Delay from the first real-time 20 ms chunk in to the first Opus packet out.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { SpeechOpusEncoder } from '../src/audio/opus.ts';
import { Upsampler } from '../src/audio/upsample.ts';
import {
  FFMPEG_ARGS, FFMPEG_FAST_ARGS, chunks, ffmpegFirstPacketMs, ffmpegPipelineCpu, ourFirstPacketMs, selfCpuUs, speechLike,
} from './audioWork.ts';

const FRAME_US = 20_000;
const CHUNKS = chunks(speechLike(10));
const PCM48 = ((): Buffer[] => {
  const up = new Upsampler();
  return chunks(Buffer.concat(CHUNKS.map((c) => up.push(c))), 3840);
})();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const f1 = (x: number): string => x.toFixed(1);

/** One stream's work for one 20 ms frame, and how to free it. */
interface Stream { step(): void; close(): void }

function ourStream(): Stream {
  const up = new Upsampler();
  const enc = new SpeechOpusEncoder();
  let i = 0;
  return { step: () => void enc.encode(up.push(CHUNKS[i++ % CHUNKS.length] as Buffer)), close: () => enc.destroy() };
}

function encodeOnlyStream(): Stream {
  const enc = new SpeechOpusEncoder();
  let i = 0;
  return { step: () => void enc.encode(PCM48[i++ % PCM48.length] as Buffer), close: () => enc.destroy() };
}

function upsampleOnlyStream(): Stream {
  const up = new Upsampler();
  let i = 0;
  return { step: () => void up.push(CHUNKS[i++ % CHUNKS.length] as Buffer), close: () => {} };
}

/** Median CPU µs per 20 ms frame of a stream kind, over `runs` runs of 500 frames. */
function cpuPerFrame(make: () => Stream, runs = 9): number {
  const results: number[] = [];
  for (let r = 0; r < runs; r++) {
    const stream = make();
    for (let i = 0; i < 50; i++) stream.step();
    const start = selfCpuUs();
    for (let i = 0; i < 500; i++) stream.step();
    results.push((selfCpuUs() - start) / 500);
    stream.close();
  }
  return median(results);
}

/** Whether n streams, stepped every 20 ms for `ticks` ticks, finish every tick before its deadline. */
async function keepsUp(n: number, make: () => Stream, ticks = 50): Promise<boolean> {
  const streams = Array.from({ length: n }, make);
  try {
    const t0 = performance.now() + 20;
    for (let k = 0; k < ticks; k++) {
      const due = t0 + 20 * k;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      for (const stream of streams) stream.step();
      if (performance.now() > due + 20) return false;
    }
    return true;
  } finally {
    for (const stream of streams) stream.close();
  }
}

/** Largest n that keeps up (a probe passes if one of two 1 s attempts has no late frame). */
async function streamsPerCore(make: () => Stream, estimate: number): Promise<number> {
  let lo = 1;
  let hi = Math.ceil(estimate * 1.5);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if ((await keepsUp(mid, make)) || (await keepsUp(mid, make))) lo = mid;
    else hi = mid;
  }
  return lo;
}

async function cpuSection(): Promise<{ ours: number; encode: number }> {
  const ours = cpuPerFrame(ourStream);
  const encode = cpuPerFrame(encodeOnlyStream);
  const upsample = cpuPerFrame(upsampleOnlyStream);
  const long = Array.from({ length: 6 }, () => CHUNKS).flat();
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await ffmpegPipelineCpu(long));
  const startups = [];
  for (let r = 0; r < 3; r++) startups.push(await ffmpegPipelineCpu([]));
  const frames = long.length;
  const ffSelf = median(runs.map((r) => r.self / frames));
  const ffChild = median(runs.map((r) => r.child / frames));
  const startupMs = median(startups.map((r) => (r.self + r.child) / 1000));
  const perUtterance5s = ffSelf + ffChild + (startupMs * 1000) / 250;
  console.log('(a) CPU per stream per 20 ms of audio (median µs)');
  console.log(`    upsample only ${f1(upsample)} · Opus encode only ${f1(encode)} · ours (upsample + Opus) ${f1(ours)}`);
  console.log(`    prism.FFmpeg + Opus, 60 s stream: node ${f1(ffSelf)} + ffmpeg ${f1(ffChild)} = ${f1(ffSelf + ffChild)}`);
  console.log(`    ffmpeg process start: ${f1(startupMs)} ms CPU → a 5 s utterance costs ${f1(perUtterance5s)} µs per 20 ms`);
  console.log(`    ratio FFmpeg/ours: ${f1((ffSelf + ffChild) / ours)}× (60 s stream), ${f1(perUtterance5s / ours)}× (5 s utterance)`);
  return { ours, encode };
}

async function streamsSection(cpu: { ours: number; encode: number }): Promise<void> {
  const ours = await streamsPerCore(ourStream, FRAME_US / cpu.ours);
  const encode = await streamsPerCore(encodeOnlyStream, FRAME_US / cpu.encode);
  console.log('(b) streams one core keeps up with, no late 20 ms frame (1 s runs, 20 ms ticks)');
  console.log(`    Opus encode alone ${encode} · ours (upsample + Opus) ${ours} → ${f1((100 * ours) / encode)} % (target ≥ 90 %)`);
  console.log(`    from CPU cost: ${Math.floor(FRAME_US / cpu.encode)} vs ${Math.floor(FRAME_US / cpu.ours)} → ${f1((100 * cpu.encode) / cpu.ours)} %`);
}

async function latencySection(): Promise<void> {
  const ours = [];
  for (let r = 0; r < 5; r++) ours.push(await ourFirstPacketMs(CHUNKS.slice(0, 10)));
  const slow = [];
  for (let r = 0; r < 2; r++) slow.push(await ffmpegFirstPacketMs(CHUNKS.slice(0, 300), FFMPEG_ARGS, 5000));
  const fast = [];
  for (let r = 0; r < 3; r++) fast.push(await ffmpegFirstPacketMs(CHUNKS.slice(0, 100), FFMPEG_FAST_ARGS, 2000));
  const show = (xs: number[]): string => xs.map((x) => (Number.isFinite(x) ? f1(x) : '>timeout')).join(', ');
  console.log('(c) first 20 ms chunk in → first Opus packet out, chunks of 20 ms every 20 ms (ms)');
  console.log(`    ours: median ${f1(median(ours))} (${show(ours)}) → ${f1(median(ours))} ms beyond the 20 ms frame (target < 5)`);
  console.log(`    prism.FFmpeg (${FFMPEG_ARGS.join(' ')}): ${show(slow)}`);
  console.log(`    prism.FFmpeg + -probesize 32 -analyzeduration 0: ${show(fast)}`);
  console.log(`    ratio FFmpeg(-probesize 32)/ours: ${f1(median(fast) / median(ours))}×`);
}

const started = performance.now();
console.log(`Opus library: ${new SpeechOpusEncoder().library}; Node ${process.version}`);
const cpu = await cpuSection();
await streamsSection(cpu);
await latencySection();
console.log(`bench took ${f1((performance.now() - started) / 1000)} s`);
