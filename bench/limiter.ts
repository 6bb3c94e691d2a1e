#!/usr/bin/env node
/**
 * `npm run bench:limiter`: DashScope's account-wide session limit with two bot processes on one Redis.
 * The loopback DashScope enforces 180 new sessions a minute per key (sliding window, 429 Throttling.RateQuota);
 * two child processes, each running the real realtime TTS engine, session pool and account limiter on one real
 * redis-server, narrate 40 guilds' chats (3–5 members each, every member with their own voice, each member
 * posting after a pause of 0–30 s, a tenth of the messages as /say) for 3 minutes. Prints utterances, sessions
 * opened, utterances per session (goal >= 10), 429s seen by utterances (goal 0) and the limiter's extra wait.
 * @remarks It drives the engine directly rather than two sharded bot processes: the sharded loopback gateway
 * is being built in parallel (helper "shards"); a port onto two `npm start` shards can replace the workers.
 * Env: LIMITER_SECONDS (180), LIMITER_GUILDS (40), LIMITER_IDLE_SECONDS (comma list of session idle windows to
 * compare, "20,60"), LIMITER_PER_MINUTE (180), LIMITER_SEED (1).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { CharacterVoice } from '../src/voices/characterVoice.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';
import { sessionLimitStats } from '../test/emulators/dashscope/session-limit.ts';
import { addVoice } from '../test/emulators/dashscope-realtime.helpers.ts';
import { freePort } from '../test/setup/redis.ts';
import type { UtteranceResult, WorkerPlan, WorkerResult } from './limiterWorker.ts';
import { percentile } from './sayWorld.ts';

const MODEL = 'qwen3-tts-vd-realtime-2026-01-15';
const env = (key: string, fallback: string): string => process.env[key] ?? fallback;
const SECONDS = Number(env('LIMITER_SECONDS', '180'));
const GUILDS = Number(env('LIMITER_GUILDS', '40'));
const IDLE_SECONDS = env('LIMITER_IDLE_SECONDS', '20,60').split(',').map(Number);
const PER_MINUTE = Number(env('LIMITER_PER_MINUTE', '180'));
const SEED = Number(env('LIMITER_SEED', '1'));
const WORKER = new URL('./limiterWorker.ts', import.meta.url).pathname;

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  for await (const chunk of child.stdout ?? []) if (String(chunk).includes('Ready to accept')) break;
  return { url: `redis://127.0.0.1:${port}`, child };
}

/** 40 guilds of 3–5 members, each member with a voice of their own in the emulated account. */
function makeGuilds(emu: DashScopeEmulator): WorkerPlan['guilds'] {
  return Array.from({ length: GUILDS }, (_, g) => ({
    id: `g${g}`,
    voices: Array.from({ length: 3 + ((g * 7 + SEED) % 3) }, (_, m): CharacterVoice => {
      const voiceId = addVoice(emu, `g${g}m${m}`, MODEL);
      return {
        name: `g${g}m${m}`,
        voiceId,
        targetModel: MODEL,
        description: '',
        language: 'en',
        createdBy: 'bench',
        createdAt: 0,
      };
    }),
  }));
}

async function runWorker(plan: WorkerPlan): Promise<{ child: ChildProcess; result: Promise<WorkerResult> }> {
  const child = spawn(process.execPath, [WORKER, JSON.stringify(plan)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let rest = '';
  let wake: (() => void) | undefined;
  child.stdout?.on('data', (data: Buffer) => {
    const parts = (rest + data.toString()).split('\n');
    rest = parts.pop() ?? '';
    lines.push(...parts);
    wake?.();
  });
  const next = async (): Promise<string> => {
    while (lines.length === 0) {
      if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}`);
      await new Promise<void>((resolve) => (wake = resolve));
    }
    return lines.shift() as string;
  };
  if ((await next()) !== 'ready') throw new Error('worker did not start');
  return { child, result: next().then((line) => JSON.parse(line) as WorkerResult) };
}

async function run(idleSeconds: number, redisUrl: string): Promise<void> {
  const emu = await startDashScopeEmulator({
    realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 200, handshakeDelayMs: 50 },
    sessionLimit: { perMinute: 180, windowMs: 60_000 },
    apiKey: `sk-bench-${idleSeconds}-${SEED}`, // a fresh account, so the runs' budgets in Redis stay apart
  });
  const guilds = makeGuilds(emu);
  const base = {
    realtimeUrl: emu.realtimeUrl,
    apiKey: emu.apiKey,
    redisUrl,
    perMinute: PER_MINUTE,
    perSecond: Math.ceil(PER_MINUTE / 30),
    maxWaitMs: 20_000,
    warmIdleMs: idleSeconds * 1000,
    durationMs: SECONDS * 1000,
    maxPauseMs: 30_000,
    sayShare: 0.1,
  };
  const halves = [guilds.filter((_, i) => i % 2 === 0), guilds.filter((_, i) => i % 2 === 1)];
  const workers = await Promise.all(
    halves.map((part, i) => runWorker({ ...base, seed: SEED * 1000 + i * 100, guilds: part })),
  );
  for (const w of workers) w.child.stdin?.end('go\n');
  const results = await Promise.all(workers.map((w) => w.result));
  const limit = sessionLimitStats(emu.ctx);
  await emu.close();
  report(idleSeconds, guilds, results, limit);
}

function report(
  idleSeconds: number,
  guilds: WorkerPlan['guilds'],
  results: WorkerResult[],
  limit: ReturnType<typeof sessionLimitStats>,
): void {
  const all: UtteranceResult[] = results.flatMap((r) => r.utterances);
  const spoken = all.filter((u) => u.outcome === 'spoken');
  const count = (outcome: UtteranceResult['outcome']): number => all.filter((u) => u.outcome === outcome).length;
  const waits = all.map((u) => u.limiterWaitMs);
  const cold = all.filter((u) => !u.warm).map((u) => u.limiterWaitMs);
  const says = all.filter((u) => u.priority === 'say').map((u) => u.limiterWaitMs);
  const sum = (f: (r: WorkerResult) => number): number => results.reduce((s, r) => s + f(r), 0);
  const ms = (x: number): string => `${Math.round(x)} ms`;
  const voices = guilds.reduce((s, g) => s + g.voices.length, 0);
  console.log(
    `\nsession idle window ${idleSeconds} s — ${guilds.length} guilds, ${voices} voices, ${SECONDS} s, 2 processes`,
  );
  console.log(
    `  utterances: ${all.length} (spoken ${spoken.length}, over the wait bound ${count('limited')}, ` +
      `429 ${count('throttled')}, other failures ${count('failed')})`,
  );
  console.log(
    `  sessions opened (handshakes DashScope accepted): ${limit.accepted}; ` +
      `by the workers' pools: ${sum((r) => r.sessionsOpened)}`,
  );
  console.log(
    `  utterances spoken ÷ sessions opened: ${(spoken.length / Math.max(1, limit.accepted)).toFixed(1)} (goal >= 10)`,
  );
  console.log(
    `  429s seen by utterances: ${count('throttled')} (goal 0); handshakes refused with 429 and retried: ` +
      `${limit.refusedRate + limit.refusedBurst} (limiter throttled ${sum((r) => r.counters.throttled)})`,
  );
  console.log(
    `  limiter extra wait, all utterances: p50 ${ms(percentile(waits, 50))}, p95 ${ms(percentile(waits, 95))}, ` +
      `max ${ms(Math.max(0, ...waits))}`,
  );
  console.log(
    `  limiter extra wait, utterances on a new session (${cold.length}): p50 ${ms(percentile(cold, 50))}, ` +
      `p95 ${ms(percentile(cold, 95))}; /say (${says.length}): p95 ${ms(percentile(says, 95))}`,
  );
  console.log(
    `  limiter: admitted ${sum((r) => r.counters.admitted)}, waited ${sum((r) => r.counters.waited)}, ` +
      `refused ${sum((r) => r.counters.refused)}, Redis errors ${sum((r) => r.counters.storeErrors)}`,
  );
}

const redis = await startRedis();
try {
  for (const idle of IDLE_SECONDS) await run(idle, redis.url);
} finally {
  redis.child.kill('SIGTERM');
}
