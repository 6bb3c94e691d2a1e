/**
 * The bot process of `bench/scale.ts`: the real bot (`startBot`) in its own process, so its CPU, memory and
 * event-loop delay are measured apart from the loopback servers. Driven by its parent over IPC.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { TTS_SAMPLE_RATE_HZ } from '../src/audio/formats.ts';
import { FULL_COMPLEXITY, type SpeechInputRate, SpeechOpusEncoder } from '../src/audio/opus.ts';
import { type Bot, startBot } from '../src/bot.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import type { OpusComplexitySetting } from '../src/playback/opusComplexity.ts';
import type { TtsEngine } from '../src/tts/engine.ts';
import type { CharacterVoice } from '../src/voices/characterVoice.ts';
import { synthesizePcm } from '../test/emulators/dashscope/audio.ts';
import { audioStageUsPerFrame, CHUNK_24K_BYTES, chunks, ffmpegTo48k, selfCpuUs, threadCpuUs } from './audioWork.ts';
import { type PacketFloor, packetFloor } from './packetFloor.ts';

/** Messages from the parent. */
export type ToBot =
  | { kind: 'setup'; guilds: { guildId: string; memberId: string }[] }
  | { kind: 'mark' }
  /** Measures {@link PacketFloor} over DashScope deltas of `deltaMs`, with the audio stage beside it. */
  | { kind: 'floor'; deltaMs: number }
  /** Opens a DashScope session for the first `guilds` guilds' voices (the `prewarm` a queued line gets). */
  | { kind: 'prewarm'; guilds: number }
  | { kind: 'sample' }
  | { kind: 'stop' };

/** What the bot process measured since the last `mark`. */
export interface BotSample {
  /** CPU of all the bot's threads, and of its main thread alone (its voice threads are the rest). */
  cpuUs: number;
  mainCpuUs: number;
  wallMs: number;
  eventLoopDelayMaxMs: number;
  /** The voice threads' per-second loop-delay maxima over the run: the worst (as its histogram bucket), and how many
   * thread-seconds went over 40 ms (the cycle then sent late). */
  voiceLoopDelay: { atMostMs: number; secondsOver40: number };
  /** Frames the voice threads sent over the run, and how many more than 40 ms behind their stream's schedule. */
  /** Frames the voice threads sent, how many late, how many at reduced Opus complexity. */
  voiceFrames: { sent: number; late: number; economy: number };
  rssBaseBytes: number;
  rssMaxBytes: number;
}

/** Replies to the parent. */
export type FromBot =
  | { kind: 'ready' }
  | { kind: 'marked'; audioStageUsPerFrame: number }
  | { kind: 'prewarmed' }
  /** `stage48k`: Opus at 48 kHz over the same audio resampled in advance (what the encoder took until 2026-12-06). */
  | ({ kind: 'floor'; stage: number; stage48k: number } & PacketFloor)
  | ({ kind: 'sample' } & BotSample);

/** Text whose emulator tone lasts about 5 s (45 ms per code point). */
const AUDIO_STAGE_TEXT = 'x'.repeat(110);
const RSS_SAMPLE_MS = 100;
/**
 * `SCALE_MAIN_BLOCK_MS`: a task that long on the bot's main thread once a second while a run is measured — what a
 * burst of other work there (interactions, a big chat backlog, the store) does to the audio.
 */
const MAIN_BLOCK_MS = Number(process.env.SCALE_MAIN_BLOCK_MS ?? 0);

let stageInput: Buffer[] | undefined;

/** The voice threads' loop-delay histogram: cumulative count per bucket bound (s), `Infinity` for all. */
async function voiceDelayBuckets(bot: Bot): Promise<Map<number, number>> {
  const metric = bot.metrics.registry.getSingleMetric('voicebot_voice_thread_loop_delay_seconds');
  const values = metric === undefined ? [] : (await metric.get()).values;
  return new Map(
    values
      .filter((v) => v.labels.le !== undefined)
      .map((v) => [v.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(v.labels.le), v.value] as const),
  );
}

/** The voice threads' frame counters, by timing (zero before the voice threads existed). */
async function voiceFrameCounts(bot: Bot): Promise<{ onTime: number; late: number; economy: number }> {
  const values = async (name: string) => (await bot.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
  const byTiming = await values('voicebot_voice_frames_total');
  const count = (timing: string): number => byTiming.find((v) => v.labels.timing === timing)?.value ?? 0;
  const economy = (await values('voicebot_voice_economy_frames_total'))[0]?.value ?? 0;
  return { onTime: count('on_time'), late: count('late'), economy };
}

function voiceDelaySince(before: Map<number, number>, now: Map<number, number>): BotSample['voiceLoopDelay'] {
  const delta = (le: number): number => (now.get(le) ?? 0) - (before.get(le) ?? 0);
  const all = delta(Number.POSITIVE_INFINITY);
  const atMost = [...now.keys()].sort((a, b) => a - b).find((le) => delta(le) === all) ?? Number.NaN;
  return { atMostMs: atMost * 1000, secondsOver40: all - delta(0.04) };
}

/**
 * The audio stage's CPU per frame over the audio the emulator streams (a tone, cheaper to encode than speech), at the
 * bot's fixed `OPUS_COMPLEXITY`, or at full complexity with `auto` (so frames the bot encodes at economy make its
 * ratio look better: the bench prints their share, "eco%"). At 48 kHz the tone is resampled by ffmpeg in advance.
 */
function audioStageOfTone(complexity: OpusComplexitySetting, inputRateHz: SpeechInputRate = 24_000): Promise<number> {
  const input =
    inputRateHz === 24_000 ? toneInput() : chunks(ffmpegTo48k(Buffer.concat(toneInput())), 2 * CHUNK_24K_BYTES);
  return audioStageUsPerFrame(input, stageComplexity(complexity), inputRateHz);
}

/** The Opus complexity the audio stage is measured at: the bot's fixed one, or full with `auto`. */
function stageComplexity(complexity: OpusComplexitySetting): number {
  return complexity === 'auto' ? FULL_COMPLEXITY : complexity;
}

/** The emulator's tone for {@link AUDIO_STAGE_TEXT}, in 20 ms chunks. */
function toneInput(): Buffer[] {
  stageInput ??= chunks(synthesizePcm(AUDIO_STAGE_TEXT, 'bench', TTS_SAMPLE_RATE_HZ));
  return stageInput;
}

async function designFor(bot: Bot, guildId: string, memberId: string): Promise<CharacterVoice> {
  const { voice } = await bot.app.library.design(guildId, {
    description: 'A bench voice.',
    previewText: 'Hello from the bench voice.',
    preferredName: 'bench',
    createdBy: memberId,
  });
  await bot.app.preferences.setMemberVoice(guildId, memberId, voice.voiceId);
  return voice;
}

async function main(): Promise<void> {
  const config = loadConfig(process.env, { discord: true });
  const log = process.env.SCALE_BOT_LOG
    ? createLogger('warn')
    : createLogger('error', new Writable({ write: (_c, _e, done) => done() }));
  // libopus's loader takes a diagnostic report (detect-libc), which halts every thread of the process (5 s here, with
  // voice threads running): load it for the audio stage before the bot's voice threads exist.
  new SpeechOpusEncoder().destroy();
  let engine: TtsEngine | undefined;
  const bot = await startBot(config, log, { wrapEngine: (e) => (engine = e) });
  const voices: CharacterVoice[] = [];
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let mark = { cpuUs: selfCpuUs(), mainCpuUs: threadCpuUs(), at: performance.now(), rss: process.memoryUsage.rss() };
  let rssMax = mark.rss;
  setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), RSS_SAMPLE_MS).unref();
  let blocker: NodeJS.Timeout | undefined;
  let voiceDelayAtMark = new Map<number, number>();
  let framesAtMark = { onTime: 0, late: 0, economy: 0 };
  const send = (message: FromBot): void => void process.send?.(message);
  process.on('message', (message: ToBot) => {
    void (async () => {
      if (message.kind === 'setup') {
        for (const { guildId, memberId } of message.guilds) voices.push(await designFor(bot, guildId, memberId));
        send({ kind: 'ready' });
      } else if (message.kind === 'prewarm') {
        for (const voice of voices.slice(0, message.guilds)) engine?.prewarm?.(voice);
        send({ kind: 'prewarmed' });
      } else if (message.kind === 'mark') {
        const audioStage = await audioStageOfTone(bot.app.config.opusComplexity);
        mark = { cpuUs: selfCpuUs(), mainCpuUs: threadCpuUs(), at: performance.now(), rss: process.memoryUsage.rss() };
        rssMax = mark.rss;
        delay.reset();
        voiceDelayAtMark = await voiceDelayBuckets(bot);
        framesAtMark = await voiceFrameCounts(bot);
        clearInterval(blocker);
        if (MAIN_BLOCK_MS > 0)
          blocker = setInterval(() => {
            for (const end = performance.now() + MAIN_BLOCK_MS; performance.now() < end; );
          }, 1_000);
        send({ kind: 'marked', audioStageUsPerFrame: audioStage });
      } else if (message.kind === 'floor') {
        const stage = await audioStageOfTone(bot.app.config.opusComplexity);
        const stage48k = await audioStageOfTone(bot.app.config.opusComplexity, 48_000);
        const complexity = stageComplexity(bot.app.config.opusComplexity);
        send({ kind: 'floor', stage, stage48k, ...(await packetFloor(toneInput(), message.deltaMs, complexity)) });
      } else if (message.kind === 'sample') {
        clearInterval(blocker);
        const frames = await voiceFrameCounts(bot);
        const late = frames.late - framesAtMark.late;
        send({
          kind: 'sample',
          cpuUs: selfCpuUs() - mark.cpuUs,
          mainCpuUs: threadCpuUs() - mark.mainCpuUs,
          wallMs: performance.now() - mark.at,
          eventLoopDelayMaxMs: delay.max / 1e6,
          voiceLoopDelay: voiceDelaySince(voiceDelayAtMark, await voiceDelayBuckets(bot)),
          voiceFrames: {
            sent: frames.onTime - framesAtMark.onTime + late,
            late,
            economy: frames.economy - framesAtMark.economy,
          },
          rssBaseBytes: mark.rss,
          rssMaxBytes: rssMax,
        });
      } else {
        await bot.stop();
        process.exit(0);
      }
    })().catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  send({ kind: 'ready' });
}

await main();
