#!/usr/bin/env node
/**
 * The encoder pool's own cost: `node bench/encoderPool.ts`. N streams (POOL_STREAMS, default 100) of speech-like
 * PCM arrive at twice real time in 100 ms chunks, as DashScope's deltas do, and are read the way @discordjs/voice
 * reads them: a `Readable` of Opus packets {@link PACKETS_AHEAD} deep per stream, one packet from every stream per
 * 20 ms tick. Prints CPU per stream per 20 ms of all the process's threads and of the main thread alone, as ratios to
 * the audio stage (Opus encoding of the same PCM on one thread, median of three) measured in this run, plus the
 * messages posted to the threads and the reads that found no packet ready.
 */
import { availableParallelism, loadavg } from 'node:os';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { EncoderPool } from '../src/audio/encoderPool.ts';
import { PACKETS_AHEAD } from '../src/playback/discordVoiceSink.ts';
import { audioStageUsPerFrame, chunks, selfCpuUs, speechLike, threadCpuUs } from './audioWork.ts';

const STREAMS = Number(process.env.POOL_STREAMS ?? 100);
const SECONDS = Number(process.env.POOL_SECONDS ?? 10);
const CHUNK_MS = 100;
const SPEED = 2;
const TICK_MS = 20;
/** Bytes of 100 ms of 24 kHz mono s16le. */
const CHUNK_BYTES = 4_800;

const PCM = speechLike(SECONDS);
const f1 = (x: number): string => x.toFixed(1);

/**
 * PCM as DashScope streams it at {@link SPEED}× real time, each stream from its own offset into the signal, buffered
 * as the bot's prefetch does: chunks arrive on their own clock, not when the reader asks.
 */
async function* delivered(offset: number): AsyncGenerator<Buffer> {
  const start = (offset * CHUNK_BYTES) % PCM.length;
  const signal = Buffer.concat([PCM.subarray(start), PCM.subarray(0, start)]);
  const arrived: Buffer[] = [];
  let wake: (() => void) | undefined;
  let at = 0;
  const timer = setInterval(() => {
    arrived.push(signal.subarray(at, at + CHUNK_BYTES));
    at += CHUNK_BYTES;
    if (at >= signal.length) clearInterval(timer);
    wake?.();
  }, CHUNK_MS / SPEED);
  for (let taken = 0; taken < signal.length; ) {
    const chunk = arrived.shift();
    if (chunk === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    taken += chunk.length;
    yield chunk;
  }
}

/**
 * Plays every stream at once as @discordjs/voice's audio cycle does: every 20 ms it sends each stream's prepared
 * packet, then prepares the next packet of one stream per turn of the event loop. Returns the frames played and the
 * ticks that found no packet prepared once the stream had started.
 */
async function play(pool: EncoderPool): Promise<{ frames: number; empty: number }> {
  const streams = Array.from({ length: STREAMS }, (_, i) => {
    const readable = Readable.from(pool.encode(delivered(i)), { objectMode: true, highWaterMark: PACKETS_AHEAD });
    const stream = { readable, prepared: null as Buffer | null, started: false, ended: false };
    readable.once('end', () => (stream.ended = true));
    return stream;
  });
  let frames = 0;
  let empty = 0;
  const start = performance.now();
  for (let tick = 1; streams.some((s) => !s.ended || s.prepared !== null); tick++) {
    for (const stream of streams) {
      if (stream.prepared !== null) frames += 1;
      else if (stream.started && !stream.ended) empty += 1;
      stream.prepared = null;
    }
    for (const stream of streams) {
      stream.prepared = stream.readable.read();
      stream.started ||= stream.prepared !== null;
      await nextTurn();
    }
    await sleep(Math.max(0, start + tick * TICK_MS - performance.now()));
  }
  return { frames, empty };
}

const stage = audioStageUsPerFrame(chunks(PCM));
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
const [all0, main0, messages0] = [selfCpuUs(), threadCpuUs(), pool.messagesPosted];
const { frames, empty } = await play(pool);
const [all, main, messages] = [selfCpuUs() - all0, threadCpuUs() - main0, pool.messagesPosted - messages0];
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
