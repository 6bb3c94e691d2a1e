#!/usr/bin/env node
/**
 * Time to first audio when text goes to DashScope a piece at a time (what the bot does, so /skip stops the
 * spend) versus the whole text in one response (the baseline it replaced), both measured in this run against
 * the loopback emulator, warm and cold, for a short line and a 1,000-character /say.
 */
import { PIECE_MAX_CHARS, RealtimeTts } from '../src/tts/realtimeTts.ts';
import type { CharacterVoice } from '../src/voices/characterVoice.ts';
import { startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';
import { addVoice } from '../test/emulators/dashscope-realtime.helpers.ts';

const RUNS = 9;
const HANDSHAKE_MS = 120;
const FIRST_PACKET_MS = 300;
const MODEL = 'qwen3-tts-vd-realtime-2026-01-15';
const SHORT = 'Ahoy there.';
const LONG = Array.from({ length: 30 }, (_, i) => `Sentence ${i + 1} of the long one.`)
  .join(' ')
  .slice(0, 1_000);

const emu = await startDashScopeEmulator({
  realtime: { realTimeFactor: 0, chunkMs: 100, firstPacketDelayMs: FIRST_PACKET_MS, handshakeDelayMs: HANDSHAKE_MS },
});
const voice: CharacterVoice = {
  name: 'Bench',
  voiceId: addVoice(emu, 'bench', MODEL),
  targetModel: MODEL,
  description: '',
  language: 'en',
  createdBy: 'bench',
  createdAt: 0,
};
const engineWith = (pieceMaxChars: number) =>
  new RealtimeTts({ apiKey: emu.apiKey, realtimeUrl: emu.realtimeUrl, warmIdleMs: 60_000, pieceMaxChars });

/** Wall time from asking for speech to holding its first PCM chunk, ms; the rest is drained. */
async function firstAudio(engine: RealtimeTts, text: string): Promise<number> {
  const started = performance.now();
  let first = 0;
  for await (const chunk of engine.synthesize({ text, voice }, new AbortController().signal)) {
    if (first === 0 && chunk.length > 0) first = performance.now() - started;
  }
  return first;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Median first-audio time of `text`, cold (new session) and warm (a reused one), for a piece size. */
async function measure(pieceMaxChars: number, text: string): Promise<{ cold: number; warm: number }> {
  const cold: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const engine = engineWith(pieceMaxChars);
    cold.push(await firstAudio(engine, text));
    warm.push(await firstAudio(engine, text));
    await engine.close();
  }
  return { cold: median(cold), warm: median(warm) };
}

console.log(`time to first audio, pieces of ${PIECE_MAX_CHARS} vs whole text (${RUNS} runs, medians)`);
for (const [label, text] of [
  ['short line', SHORT],
  ['1,000 characters', LONG],
] as const) {
  const whole = await measure(10_000, text);
  const pieces = await measure(PIECE_MAX_CHARS, text);
  for (const kind of ['cold', 'warm'] as const) {
    const ratio = (pieces[kind] / whole[kind]).toFixed(2);
    const [w, p] = [whole[kind].toFixed(1), pieces[kind].toFixed(1)];
    console.log(`  ${label}, ${kind}: whole ${w} ms, pieces ${p} ms, ratio ${ratio}`);
  }
}
await emu.close();
