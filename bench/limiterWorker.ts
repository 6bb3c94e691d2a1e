/**
 * One bot process of `bench/limiter.ts`: the real realtime TTS engine, session pool and account limiter (on the
 * shared Redis) narrating its share of the guilds' chats. Reads its plan as JSON from argv[2], prints "ready",
 * starts on "go" (stdin), and prints one JSON line of results.
 * @remarks Drives the engine directly, without Discord: each guild speaks one utterance at a time and "plays"
 * it in real time (the audio's length) before the next, as a guild's player does.
 */
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { openAccountLimits } from '../src/dashscope/accountLimits.ts';
import { DashScopeError } from '../src/dashscope/errors.ts';
import { createLogger } from '../src/log.ts';
import { RealtimeTts } from '../src/tts/realtimeTts.ts';
import type { CharacterVoice } from '../src/voices/characterVoice.ts';
import { prng } from '../test/audio/signal.ts';

/** What the parent sends. */
export interface WorkerPlan {
  realtimeUrl: string;
  apiKey: string;
  redisUrl: string;
  perMinute: number;
  perSecond: number;
  maxWaitMs: number;
  warmIdleMs: number;
  durationMs: number;
  maxPauseMs: number;
  sayShare: number;
  seed: number;
  guilds: { id: string; voices: CharacterVoice[] }[];
}

/** One utterance's outcome. */
export interface UtteranceResult {
  outcome: 'spoken' | 'limited' | 'throttled' | 'failed';
  priority: 'say' | 'narration';
  limiterWaitMs: number;
  warm: boolean;
}

/** What the worker prints. */
export interface WorkerResult {
  utterances: UtteranceResult[];
  sessionsOpened: number;
  counters: { admitted: number; waited: number; refused: number; throttled: number; storeErrors: number };
}

const LINES = [
  'ha, that is exactly what I said',
  'wait, who left the door open again?',
  'ok',
  'I will be there in five minutes, save me a seat',
  'no way, that boss took me an hour',
  'does anyone know where the map is?',
  'lol',
  'the bridge is out, take the long road by the river',
];
const BYTES_PER_MS = 48; // 24 kHz mono s16le

const plan = JSON.parse(process.argv[2] ?? '{}') as WorkerPlan;
const log = createLogger('error');
const config = {
  storeUrl: plan.redisUrl,
  dashscope: { apiKey: plan.apiKey },
  accountLimit: {
    sessionsPerMinute: plan.perMinute,
    sessionsPerSecond: plan.perSecond,
    designsPerMinute: 60,
    maxWaitMs: plan.maxWaitMs,
  },
};
const limits = await openAccountLimits(config, log);
const tts = new RealtimeTts({
  apiKey: plan.apiKey,
  realtimeUrl: plan.realtimeUrl,
  warmIdleMs: plan.warmIdleMs,
  limiter: limits.sessions,
});
const results: UtteranceResult[] = [];

/** Speaks one utterance and waits out its playback. */
async function speak(voice: CharacterVoice, text: string, priority: UtteranceResult['priority']): Promise<void> {
  const synthesis = tts.synthesize({ text, voice, priority }, new AbortController().signal);
  let bytes = 0;
  let firstAt: number | undefined;
  let outcome: UtteranceResult['outcome'] = 'spoken';
  try {
    for await (const chunk of synthesis) {
      firstAt ??= performance.now();
      bytes += chunk.length;
    }
  } catch (error) {
    const code = error instanceof DashScopeError ? error.code : '';
    outcome = code.startsWith('Throttling')
      ? 'throttled'
      : (error as Error).name === 'UserError'
        ? 'limited'
        : 'failed';
  }
  const { limiterWaitMs, warm } = synthesis.metrics;
  results.push({ outcome, priority, limiterWaitMs, warm });
  if (firstAt !== undefined) await delay(Math.max(0, firstAt + bytes / BYTES_PER_MS - performance.now()));
}

/** One guild: every member posts after a pause of 0–maxPause; the guild speaks its queue in order. */
async function guild(g: WorkerPlan['guilds'][number], index: number, endAt: number): Promise<void> {
  const rand = prng(plan.seed + index); // seeded: both processes replay the same chats run after run
  const queue: { voice: CharacterVoice; text: string; priority: UtteranceResult['priority'] }[] = [];
  let wake: (() => void) | undefined;
  const members = g.voices.map(async (voice) => {
    for (;;) {
      const pause = rand() * plan.maxPauseMs;
      if (performance.now() + pause >= endAt) return;
      await delay(pause);
      const text = LINES[Math.floor(rand() * LINES.length)] ?? 'ok';
      queue.push({ voice, text, priority: rand() < plan.sayShare ? 'say' : 'narration' });
      wake?.();
    }
  });
  let posting = true;
  void Promise.all(members).then(() => {
    posting = false;
    wake?.();
  });
  while (posting || queue.length > 0) {
    const next = queue.shift();
    if (next === undefined) await new Promise<void>((resolve) => (wake = resolve));
    else await speak(next.voice, next.text, next.priority);
  }
}

process.stdout.write('ready\n');
await once(process.stdin, 'data');
process.stdin.destroy();
const endAt = performance.now() + plan.durationMs;
await Promise.all(plan.guilds.map((g, i) => guild(g, i, endAt)));
const result: WorkerResult = {
  utterances: results,
  sessionsOpened: tts.stats.sessionsOpened,
  counters: { ...limits.sessions.counters },
};
await tts.close();
await limits.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
