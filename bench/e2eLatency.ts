#!/usr/bin/env node
/**
 * End-to-end latency of `/say`: from the loopback Discord dispatching the interaction to the first audio
 * packet it receives from the bot, with DashScope's first packet after 0 ms and after a realistic 500 ms.
 * The baseline is the same path with the engine wrapped to synthesize fully before playing, as bots that
 * fetch a finished audio file do. Both run in this process against the same emulators.
 */
import type { Synthesis, TtsEngine } from '../src/tts/engine.ts';
import { measureSay, percentile, startSayWorld } from './sayWorld.ts';

const RUNS = Number(process.env.RUNS ?? 50);
const DELAYS_MS = [0, 500];

/** The baseline: collect the whole utterance, then hand it to the player. */
function synthesizeFullyFirst(engine: TtsEngine): TtsEngine {
  return {
    close: () => engine.close(),
    synthesize(req, signal): Synthesis {
      const inner = engine.synthesize(req, signal);
      return {
        get metrics() {
          return inner.metrics;
        },
        async *[Symbol.asyncIterator]() {
          const all: Buffer[] = [];
          for await (const chunk of inner) all.push(chunk);
          yield* all;
        },
      };
    },
  };
}

async function run(strategy: 'streaming' | 'fully first', firstPacketDelayMs: number): Promise<number[]> {
  const bot = strategy === 'fully first' ? { wrapEngine: synthesizeFullyFirst } : {};
  const world = await startSayWorld({ firstPacketDelayMs, bot });
  try {
    await measureSay(world); // warm-up: joins the channel
    const samples: number[] = [];
    for (let i = 0; i < RUNS; i++) samples.push(await measureSay(world));
    return samples;
  } finally {
    await world.stop();
  }
}

console.log(`/say → first audio packet at the listener, ${RUNS} runs each (ms)`);
for (const delay of DELAYS_MS) {
  const streaming = await run('streaming', delay);
  const baseline = await run('fully first', delay);
  const [s50, s95, b50, b95] = [
    percentile(streaming, 50),
    percentile(streaming, 95),
    percentile(baseline, 50),
    percentile(baseline, 95),
  ];
  console.log(`DashScope first packet ${delay} ms:`);
  console.log(
    `  streaming     p50 ${s50.toFixed(1)}  p95 ${s95.toFixed(1)}  overhead beyond DashScope p50 ` +
      `${(s50 - delay).toFixed(1)} (target < 60)`,
  );
  console.log(`  fully first   p50 ${b50.toFixed(1)}  p95 ${b95.toFixed(1)}`);
  console.log(`  streaming/fully-first p50 ratio ${(s50 / b50).toFixed(3)}`);
}
process.exit(0);
