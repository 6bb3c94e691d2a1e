#!/usr/bin/env node
/**
 * The encoder pool's own cost: `node bench/encoderPool.ts`. N streams (POOL_STREAMS, default 100) of speech-like
 * PCM arrive at twice real time in 100 ms chunks, as DashScope's deltas do, and are read the way @discordjs/voice
 * reads them: a `Readable` of Opus packets {@link PACKETS_AHEAD} deep per stream, one packet from every stream per
 * 20 ms tick. Prints CPU per stream per 20 ms of all the process's threads and of the main thread alone, as ratios to
 * the audio stage (upsample + Opus of the same PCM on one thread, median of three) measured in this run, plus the
 * messages posted to the threads and the reads that found no packet ready.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { EncoderPool } from '../src/audio/encoderPool.ts';
import { SpeechOpusEncoder } from '../src/audio/opus.ts';
import { Upsampler } from '../src/audio/upsample.ts';
import { PACKETS_AHEAD } from '../src/playback/discordVoiceSink.ts';
import { chunks, speechLike } from './audioWork.ts';

const STREAMS = Number(process.env.POOL_STREAMS ?? 100);
const SECONDS = Number(process.env.POOL_SECONDS ?? 10);
const CHUNK_MS = 100;
const SPEED = 2;
const TICK_MS = 20;
/** Bytes of 100 ms of 24 kHz mono s16le. */
const CHUNK_BYTES = 4_800;

const PCM = speechLike(SECONDS);
const cpuUs = (): number => {
  const { user, system } = process.cpuUsage();
  return user + system;
};
const threadCpuUs = (): number => {
  const { user, system } = process.threadCpuUsage();
  return user + system;
};
const f1 = (x: number): string => x.toFixed(1);

/** Upsample + Opus of the whole signal on this thread, µs per 20 ms frame: median of three after a warm-up. */
function audioStageUs(): number {
  const input = chunks(PCM);
  const pass = (): number => {
    const upsampler = new Upsampler();
    const encoder = new SpeechOpusEncoder();
    const before = threadCpuUs();
    let frames = 0;
    for (const chunk of input) frames += encoder.encode(upsampler.pushTransient(chunk)).length;
    const used = threadCpuUs() - before;
    encoder.destroy();
    return used / frames;
  };
  pass();
  return [pass(), pass(), pass()].sort((a, b) => a - b)[1] as number;
}

/** PCM as DashScope streams it at {@link SPEED}× real time, each stream from its own offset into the signal. */
async function* delivered(offset: number): AsyncGenerator<Buffer> {
  const start = (offset * CHUNK_BYTES) % PCM.length;
  const signal = Buffer.concat([PCM.subarray(start), PCM.subarray(0, start)]);
  for (let at = 0; at < signal.length; at += CHUNK_BYTES) {
    await sleep(CHUNK_MS / SPEED);
    yield signal.subarray(at, at + CHUNK_BYTES);
  }
}

/**
 * Plays every stream at once, one packet each per tick; returns frames played and the reads that found no packet
 * ready once the stream had started.
 */
async function play(pool: EncoderPool): Promise<{ frames: number; empty: number }> {
  const streams = Array.from({ length: STREAMS }, (_, i) => {
    const readable = Readable.from(pool.encode(delivered(i)), { objectMode: true, highWaterMark: PACKETS_AHEAD });
    let ended = false;
    readable.once('end', () => (ended = true));
    return { readable, started: false, ended: () => ended };
  });
  let frames = 0;
  let empty = 0;
  const start = performance.now();
  for (let tick = 1; streams.some((s) => !s.ended()); tick++) {
    for (const stream of streams) {
      if (stream.readable.read() !== null) {
        frames += 1;
        stream.started = true;
      } else if (stream.started && !stream.ended()) empty += 1;
    }
    await sleep(Math.max(0, start + tick * TICK_MS - performance.now()));
  }
  return { frames, empty };
}

const stage = audioStageUs();
const pool = new EncoderPool();
// Start every thread (and load its modules) before measuring: one short stream each, at once.
const warmUp = async (): Promise<void> => {
  const oneChunk = (async function* () {
    yield PCM.subarray(0, CHUNK_BYTES);
  })();
  for await (const _packet of pool.encode(oneChunk)) {
    // drain
  }
};
await Promise.all(Array.from({ length: availableParallelism() }, warmUp));
const [all0, main0, messages0] = [cpuUs(), threadCpuUs(), pool.messagesPosted];
const { frames, empty } = await play(pool);
const [all, main, messages] = [cpuUs() - all0, threadCpuUs() - main0, pool.messagesPosted - messages0];
await pool.close();

console.log(
  `encoder pool: ${STREAMS} streams × ${SECONDS} s at ${SPEED}× real time, ${availableParallelism()} threads`,
);
console.log(`  audio stage on one thread (baseline): ${f1(stage)} µs per stream per 20 ms`);
console.log(`  all threads: ${f1(all / frames)} µs → ${(all / frames / stage).toFixed(2)}× the audio stage`);
console.log(`  main thread: ${f1(main / frames)} µs → ${(main / frames / stage).toFixed(2)}× the audio stage`);
console.log(
  `  messages to the threads: ${((messages * 1000) / ((frames * TICK_MS) / STREAMS)).toFixed(0)}/s for ${STREAMS} ` +
    `streams; reads with no packet ready: ${empty} of ${frames + empty}`,
);
console.log(`  load average: ${loadavg().map(f1).join(' ')} on ${availableParallelism()} cores`);
