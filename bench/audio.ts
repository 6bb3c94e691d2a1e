/**
 * Audio pipeline benchmark: `node bench/audio.ts`. Every ratio compares figures measured in this run.
 *
 * (a) CPU per stream per 20 ms: our upsampler + Opus vs prism.FFmpeg resampling + the same Opus
 *     encoder (ffmpeg's own CPU read from /proc/self/stat once the child is reaped).
 * (b) Streams one core keeps up with, no 20 ms frame late, vs Opus encoding alone.
 * (c) Delay from the first real-time 20 ms chunk in to the first Opus packet out.
 * (d) CPU per stream per 20 ms of DAVE frame encryption (@snazzah/davey, as @discordjs/voice calls it)
 *     vs the whole pipeline (upsample + Opus + DAVE).
 */
import { availableParallelism, loadavg } from 'node:os';
import { FRAME_BYTES } from '../src/audio/formats.ts';
import { SpeechOpusEncoder } from '../src/audio/opus.ts';
import { Upsampler } from '../src/audio/upsample.ts';
import { type Stream, streamsPerCore } from './audioRealtime.ts';
import {
  chunks,
  FFMPEG_ARGS,
  FFMPEG_FAST_ARGS,
  ffmpegFirstPacketMs,
  ffmpegPipelineCpu,
  ourFirstPacketMs,
  selfCpuUs,
  speechLike,
} from './audioWork.ts';
import { daveEncryptStream } from './daveWork.ts';

const FRAME_US = 20_000;
const CHUNKS = chunks(speechLike(10));
const PCM48 = ((): Buffer[] => {
  const up = new Upsampler();
  return chunks(Buffer.concat(CHUNKS.map((c) => up.push(c))), FRAME_BYTES);
})();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const f1 = (x: number): string => x.toFixed(1);

/**
 * Streams start at staggered offsets into the 10 s signal, so each reads its own PCM as in
 * production (with one shared chunk the baseline would read L1-hot data).
 */
let streamsMade = 0;
const nextOffset = (): number => (streamsMade++ * 37) % CHUNKS.length;

function ourStream(): Stream {
  const up = new Upsampler();
  const enc = new SpeechOpusEncoder();
  let i = nextOffset();
  return {
    step: () => void enc.encode(up.pushTransient(CHUNKS[i++ % CHUNKS.length] as Buffer)),
    close: () => enc.destroy(),
  };
}

function encodeOnlyStream(): Stream {
  const enc = new SpeechOpusEncoder();
  let i = nextOffset();
  return { step: () => void enc.encode(PCM48[i++ % PCM48.length] as Buffer), close: () => enc.destroy() };
}

function upsampleOnlyStream(): Stream {
  const up = new Upsampler();
  let i = nextOffset();
  return { step: () => void up.push(CHUNKS[i++ % CHUNKS.length] as Buffer), close: () => {} };
}

/** CPU µs for 500 frames of one fresh stream, after 50 frames of warm-up. */
function cpuRun(make: () => Stream): number {
  const stream = make();
  for (let i = 0; i < 50; i++) stream.step();
  const start = selfCpuUs();
  for (let i = 0; i < 500; i++) stream.step();
  const used = (selfCpuUs() - start) / 500;
  stream.close();
  return used;
}

/** Median CPU µs per 20 ms frame of each stream kind; runs interleaved so drift hits all alike. */
function cpuPerFrame<K extends string>(kinds: Record<K, () => Stream>, runs = 11): Record<K, number> {
  const names = Object.keys(kinds) as K[];
  const results = new Map<K, number[]>(names.map((k) => [k, []]));
  for (const name of names) cpuRun(kinds[name]);
  for (let r = 0; r < runs; r++) for (const name of names) results.get(name)?.push(cpuRun(kinds[name]));
  return Object.fromEntries(names.map((k) => [k, median(results.get(k) ?? [])])) as Record<K, number>;
}

async function cpuSection(): Promise<{ ours: number; encode: number }> {
  const { ours, encode, upsample } = cpuPerFrame({
    ours: ourStream,
    encode: encodeOnlyStream,
    upsample: upsampleOnlyStream,
  });
  const long = Array.from({ length: 6 }, () => CHUNKS).flat();
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await ffmpegPipelineCpu(long));
  const startups = [];
  for (let r = 0; r < 3; r++) startups.push(await ffmpegPipelineCpu([]));
  const frames = long.length;
  const startupUs = median(startups.map((r) => r.self + r.child));
  const ffSelf = median(runs.map((r) => r.self / frames));
  const ffSteady = median(runs.map((r) => (r.self + r.child - startupUs) / frames));
  const per5s = ffSteady + startupUs / 250;
  console.log('(a) CPU per stream per 20 ms of audio (median µs; ffmpeg from /proc/self/stat, 10 ms ticks)');
  console.log(
    `    upsample only ${f1(upsample)} · Opus encode only ${f1(encode)} · ours (upsample + Opus) ${f1(ours)}`,
  );
  console.log(
    `    prism.FFmpeg + Opus, steady: ${f1(ffSteady)} (node side incl. Opus ${f1(ffSelf)}, ffmpeg ` +
      `${f1(ffSteady - ffSelf)})`,
  );
  console.log(
    `    + ffmpeg start per stream: ${f1(startupUs / 1000)} ms CPU → a 5 s utterance costs ${f1(per5s)} per 20 ms`,
  );
  console.log(`    ratio FFmpeg/ours: ${f1(ffSteady / ours)}× steady, ${f1(per5s / ours)}× for a 5 s utterance`);
  return { ours, encode };
}

async function streamsSection(cpu: { ours: number; encode: number }): Promise<void> {
  const kinds = [
    { make: ourStream, estimate: FRAME_US / cpu.ours },
    { make: encodeOnlyStream, estimate: FRAME_US / cpu.encode },
  ];
  console.log('(b) streams one thread keeps up with, no late 20 ms frame (best of 3 × 1 s probes)');
  for (const clock of ['cpu', 'wall'] as const) {
    const [ours = 0, encode = 0] = await streamsPerCore(kinds, clock);
    const label = clock === 'cpu' ? 'tick CPU time ≤ 20 ms (a dedicated core)' : 'wall clock, this shared machine';
    console.log(`    ${label}: Opus alone ${encode} · ours ${ours} → ${f1((100 * ours) / encode)} % (target ≥ 90 %)`);
  }
  console.log(
    `    mean CPU cost: ${Math.floor(FRAME_US / cpu.encode)} vs ${Math.floor(FRAME_US / cpu.ours)} → ` +
      `${f1((100 * cpu.encode) / cpu.ours)} %`,
  );
  console.log(
    `    load average during the run: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} on ${availableParallelism()} cores`,
  );
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
  console.log(
    `    ours: median ${f1(median(ours))} (${show(ours)}) → ${f1(median(ours))} ms beyond the 20 ms frame (target < 5)`,
  );
  console.log(`    prism.FFmpeg (${FFMPEG_ARGS.join(' ')}): ${show(slow)}`);
  console.log(`    prism.FFmpeg + -probesize 32 -analyzeduration 0: ${show(fast)}`);
  console.log(`    ratio FFmpeg(-probesize 32)/ours: ${f1(median(fast) / median(ours))}×`);
}

/** Real Opus frames of the speech-like signal, for DAVE to seal. */
const OPUS = ((): Buffer[] => {
  const enc = new SpeechOpusEncoder();
  const frames = PCM48.flatMap((pcm) => enc.encode(pcm).map((packet) => Buffer.from(packet)));
  enc.destroy();
  return frames;
})();

function oursWithDaveStream(): Stream {
  const ours = ourStream();
  const dave = daveEncryptStream(OPUS, nextOffset());
  return {
    step: () => {
      ours.step();
      dave.step();
    },
    close: () => {
      ours.close();
      dave.close();
    },
  };
}

function daveSection(): void {
  const { dave, whole } = cpuPerFrame({ dave: () => daveEncryptStream(OPUS, nextOffset()), whole: oursWithDaveStream });
  console.log('(d) DAVE end-to-end encryption per stream per 20 ms (median µs; @snazzah/davey encryptOpus)');
  console.log(
    `    DAVE encrypt ${f1(dave)} · whole pipeline (upsample + Opus + DAVE) ${f1(whole)} → DAVE share ` +
      `${f1((100 * dave) / whole)} %`,
  );
}

const started = performance.now();
console.log(`Opus library: ${new SpeechOpusEncoder().library}; Node ${process.version}`);
const cpu = await cpuSection();
await streamsSection(cpu);
await latencySection();
daveSection();
console.log(`bench took ${f1((performance.now() - started) / 1000)} s`);
