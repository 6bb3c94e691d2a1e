/** Shared helpers for the TTS engine tests: emulator voices as `CharacterVoice`s, and draining a synthesis. */
import type { DesignLanguage } from '../../src/dashscope/limits.ts';
import type { TargetModel } from '../../src/dashscope/models.ts';
import type { Synthesis } from '../../src/tts/engine.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { synthesizePcm } from '../emulators/dashscope/audio.ts';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';

export const RT_MODEL: TargetModel = 'qwen3-tts-vd-realtime-2026-01-15';
export const OTHER_RT_MODEL: TargetModel = 'qwen3-tts-vd-realtime-2025-12-16';
export const HTTP_MODEL: TargetModel = 'qwen3-tts-vd-2026-01-26';

/** Puts a designed voice bound to `model` into the emulated account and returns it as the registry keeps it. */
export function addVoice(
  emu: DashScopeEmulator,
  name: string,
  model: TargetModel,
  language: DesignLanguage = 'en',
): CharacterVoice {
  const voiceId = `qwen-tts-vd-${name}-voice-20260101120000123-a1b2`;
  emu.voices.set(voiceId, {
    voice: voiceId,
    targetModel: model,
    language,
    voicePrompt: 'A test voice.',
    previewText: 'Hello from the test voice.',
    gmtCreate: '2026-01-01 12:00:00',
    gmtModified: '2026-01-01 12:00:00',
  });
  return { name, voiceId, targetModel: model, description: 'A test voice.', language, createdBy: 'test', createdAt: 0 };
}

/** Every chunk of `synthesis`, in order. */
export async function collect(synthesis: Synthesis): Promise<Buffer[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of synthesis) chunks.push(chunk);
  return chunks;
}

/** What iterating `synthesis` throws, with the chunks received before. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
export async function failureOf(synthesis: Synthesis): Promise<{ error: any; chunks: Buffer[] }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of synthesis) chunks.push(chunk);
  } catch (error) {
    return { error, chunks };
  }
  throw new Error(`expected a failure, got ${chunks.length} chunks`);
}

/** The audio the emulator speaks for one response of `text` (it trims the committed text). */
export function expectedPcm(text: string, voice: CharacterVoice): Buffer {
  return synthesizePcm(text.trim(), voice.voiceId, 24_000);
}

/** Client events the emulator received of type `action`. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
export function sent(emu: DashScopeEmulator, action: string): any[] {
  return emu.requests.filter((r) => r.action === action).map((r) => r.body);
}

/** Polls `check` until it is true or `timeoutMs` passes. */
export async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A loopback TCP proxy in front of `target` (`ws://` or `http://` URL) that records when client connections close. */
export interface TcpProxy {
  /** `target` with the proxy's host and port. */
  url: string;
  /** `performance.now()` of every client connection's close, in order. */
  closes: number[];
  /** Client connections currently open. */
  open: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { createServer, connect } = await import('node:net');
  const upstream = new URL(target);
  const sockets = new Set<import('node:net').Socket>();
  const proxy: TcpProxy = { url: '', closes: [], open: 0, close: async () => {} };
  const server = createServer((client) => {
    const server = connect(Number(upstream.port), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    proxy.open += 1;
    client.on('close', () => {
      proxy.open -= 1;
      proxy.closes.push(performance.now());
      server.destroy();
    });
    server.on('close', () => client.destroy());
    client.pipe(server);
    server.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as import('node:net').AddressInfo;
  const url = new URL(target);
  url.port = String(address.port);
  proxy.url = url.href;
  proxy.close = () =>
    new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
