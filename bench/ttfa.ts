#!/usr/bin/env node
/**
 * Time to first audio, cold vs warm connection, against the loopback DashScope emulator with a
 * handshake delay standing in for TLS + WebSocket upgrade. Prints medians and the ratio; both are
 * measured in this run, so the figures compare like with like on whatever machine runs it.
 */
import { createTtsEngine } from '../src/tts/engines.ts';
import type { CharacterVoice } from '../src/voices/characterVoice.ts';
import { startDashScopeEmulator } from '../test/emulators/dashscope/server.ts';
import { addVoice } from '../test/emulators/dashscope-realtime.helpers.ts';

const RUNS = 15;
const HANDSHAKE_MS = 120;
const FIRST_PACKET_MS = 300;

const emu = await startDashScopeEmulator({
  realtime: { realTimeFactor: 0, chunkMs: 100, firstPacketDelayMs: FIRST_PACKET_MS, handshakeDelayMs: HANDSHAKE_MS },
});
const voiceId = addVoice(emu, 'bench', 'qwen3-tts-vd-realtime-2026-01-15');
const voice: CharacterVoice = {
  name: 'Bench',
  voiceId,
  targetModel: 'qwen3-tts-vd-realtime-2026-01-15',
  description: '',
  language: 'en',
  createdBy: 'bench',
  createdAt: 0,
};
const newEngine = () =>
  createTtsEngine({ apiKey: emu.apiKey, baseUrl: emu.baseUrl, realtimeUrl: emu.realtimeUrl, warmIdleMs: 60_000 });

/** Wall time from asking for speech to holding its first PCM chunk, ms. */
async function firstAudio(engine: ReturnType<typeof newEngine>): Promise<number> {
  const started = performance.now();
  let first = 0;
  for await (const chunk of engine.synthesize({ text: 'Ahoy there.', voice }, new AbortController().signal)) {
    if (first === 0 && chunk.length > 0) first = performance.now() - started;
  }
  return first;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const coldEngine = newEngine(); // no session yet: the utterance connects from scratch
  cold.push(await firstAudio(coldEngine));
  await coldEngine.close();
  const warmEngine = newEngine();
  warmEngine.prewarm(voice); // what the player does for the next queued utterance
  await new Promise((r) => setTimeout(r, HANDSHAKE_MS + 100));
  warm.push(await firstAudio(warmEngine));
  await warmEngine.close();
}
await emu.close();

const c = median(cold);
const w = median(warm);
console.log(
  `time to first audio (handshake ${HANDSHAKE_MS} ms, DashScope first packet ${FIRST_PACKET_MS} ms, ${RUNS} runs ` +
    `each, medians)`,
);
console.log(`  cold connection: ${c.toFixed(1)} ms`);
console.log(`  warm connection: ${w.toFixed(1)} ms`);
console.log(`  warm/cold: ${(w / c).toFixed(2)} — a warm session saves ${(c - w).toFixed(1)} ms per utterance`);
