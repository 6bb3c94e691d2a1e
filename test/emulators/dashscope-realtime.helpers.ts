/**
 * Test helpers for the DashScope emulator's realtime socket: a `ws` client that records every frame.
 */
import { WebSocket } from 'ws';
import type { DashScopeEmulator } from './dashscope/server.ts';
import type { EmulatedVoice } from './dashscope/state.ts';

/** A server event as received, with its arrival time (`performance.now()`). */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
export type ServerEvent = Record<string, any> & { type: string; at: number };

/** How the socket ended: the close code (1006 = no close frame) and reason. */
export interface Closed {
  code: number;
  reason: string;
}

/** A connected realtime client that keeps every event in arrival order. */
export class Probe {
  readonly ws: WebSocket;
  readonly events: ServerEvent[] = [];
  binaryFrames = 0;
  readonly closed: Promise<Closed>;
  #cursor = 0;
  #waiters: Array<() => void> = [];

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      if (isBinary) this.binaryFrames += 1;
      else this.events.push({ ...JSON.parse(data.toString()), at: performance.now() });
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake();
      });
    });
    ws.on('error', () => {});
  }

  /** Sends a client event with a fresh `event_id`. */
  send(event: Record<string, unknown>): void {
    this.ws.send(JSON.stringify({ event_id: `event_${crypto.randomUUID().replaceAll('-', '')}`, ...event }));
  }

  /** Events after the cursor up to and including the first of `type`; moves the cursor past it. */
  async until(type: string, timeoutMs = 5_000): Promise<ServerEvent[]> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((event, i) => i >= this.#cursor && event.type === type);
      if (index >= 0) {
        const taken = this.events.slice(this.#cursor, index + 1);
        this.#cursor = index + 1;
        return taken;
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error(`closed before ${type}`);
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`no ${type} within ${timeoutMs} ms; got ${this.types().join(', ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first event of `type` after the cursor (see {@link until}). */
  async next(type: string, timeoutMs?: number): Promise<ServerEvent> {
    const events = await this.until(type, timeoutMs);
    return events[events.length - 1]!;
  }

  /** Types of all events received so far. */
  types(): string[] {
    return this.events.map((event) => event.type);
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Connects to `?model=<model>` with the emulator's key (or `auth`) and waits for the socket to open. */
export async function connect(emu: DashScopeEmulator, model: string, auth?: string): Promise<Probe> {
  const ws = new WebSocket(`${emu.realtimeUrl}?model=${encodeURIComponent(model)}`, {
    headers: { authorization: auth ?? `Bearer ${emu.apiKey}` },
  });
  const probe = new Probe(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return probe;
}

/** Attempts an upgrade that should be refused; returns the HTTP status and JSON body. */
// biome-ignore lint/suspicious/noExplicitAny: raw JSON from the wire, read loosely by tests.
export function refusedUpgrade(url: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('upgrade was accepted')));
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text === '' ? null : JSON.parse(text) }));
    });
  });
}

/** The PCM carried by the `response.audio.delta` events in `events`, concatenated. */
export function pcmOf(events: readonly ServerEvent[]): Buffer {
  return Buffer.concat(deltasOf(events));
}

/** The decoded `response.audio.delta` payloads in `events`. */
export function deltasOf(events: readonly ServerEvent[]): Buffer[] {
  return events.filter((e) => e.type === 'response.audio.delta').map((e) => Buffer.from(e.delta as string, 'base64'));
}

/** Puts a designed voice bound to `targetModel` into the emulated account; returns its id. */
export function addVoice(emu: DashScopeEmulator, name: string, targetModel: string): string {
  const voice = `qwen-tts-vd-${name}-voice-20260101120000123-a1b2`;
  const entry: EmulatedVoice = {
    voice,
    targetModel,
    language: 'en',
    voicePrompt: 'A test voice.',
    previewText: 'Hello from the test voice.',
    gmtCreate: '2026-01-01 12:00:00',
    gmtModified: '2026-01-01 12:00:00',
  };
  emu.voices.set(voice, entry);
  return voice;
}

/** The tail of one response, in order, from `response.created` to `response.done`. */
export const RESPONSE_SEQUENCE = [
  'response.created',
  'response.output_item.added',
  'response.content_part.added',
  'response.audio.delta',
  'response.audio.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.done',
];

/** `types` with runs of `response.audio.delta` collapsed to one. */
export function collapseDeltas(types: readonly string[]): string[] {
  return types.filter((type, i) => type !== 'response.audio.delta' || types[i - 1] !== type);
}
