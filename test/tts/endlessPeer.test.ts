/**
 * A DashScope peer that streams audio without end, or sends a frame far larger than any delta: the client
 * stops reading past 10 s of queued audio, cuts a response that runs far past its text, refuses a huge frame,
 * and its memory stays flat.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { QUEUE_HIGH_SECONDS } from '../../src/dashscope/realtime/response.ts';
import { REALTIME_MAX_PAYLOAD_BYTES } from '../../src/dashscope/realtime/session.ts';
import { RealtimeTts } from '../../src/tts/realtimeTts.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { failureOf, RT_MODEL } from './helpers.ts';

const voice: CharacterVoice = {
  name: 'hero',
  voiceId: 'qwen-tts-vd-hero-voice-20260101120000123-a1b2',
  targetModel: RT_MODEL,
  description: '',
  language: 'en',
  createdBy: 'test',
  createdAt: 0,
};
/** 100 ms of 24 kHz mono s16le per delta, base64 once. */
const DELTA = JSON.stringify({
  event_id: 'event_x',
  type: 'response.audio.delta',
  delta: Buffer.alloc(4_800).toString('base64'),
});
const BYTES_PER_SECOND = 48_000;

let wss: WebSocketServer | undefined;
let tts: RealtimeTts | undefined;
afterEach(async () => {
  await tts?.close();
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  wss = undefined;
});

/** Audio bytes the peer has put on the wire. */
const peer = { audioBytes: 0 };

/** A peer that answers each commit with `respond`, after a normal set-up. */
async function endless(respond: (ws: WebSocket) => void): Promise<RealtimeTts> {
  peer.audioBytes = 0;
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss!.once('listening', resolve));
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'session.created', session: { id: 'sess_1' } }));
    ws.on('message', (data) => {
      const type = JSON.parse(data.toString()).type;
      if (type === 'session.update') ws.send(JSON.stringify({ type: 'session.updated', session: {} }));
      if (type === 'input_text_buffer.commit') respond(ws);
    });
  });
  const { port } = wss.address() as { port: number };
  tts = new RealtimeTts({ apiKey: 'sk-test', realtimeUrl: `ws://127.0.0.1:${port}/api-ws/v1/realtime` });
  return tts;
}

/** Streams deltas as fast as the socket takes them, forever (until it closes). */
function streamForever(ws: WebSocket): void {
  const pump = (): void => {
    while (ws.readyState === ws.OPEN && ws.bufferedAmount < 256 * 1024) {
      ws.send(DELTA);
      peer.audioBytes += 4_800;
    }
    if (ws.readyState === ws.OPEN) setTimeout(pump, 1);
  };
  pump();
}

const rssMb = (): number => process.memoryUsage().rss / 1024 / 1024;

describe('a peer that streams without end', () => {
  it('stops being read past 10 s of queued audio while the reader waits, and memory stays flat', async () => {
    const engine = await endless(streamForever);
    const controller = new AbortController();
    const iterator = engine.synthesize({ text: 'Hello there.', voice }, controller.signal)[Symbol.asyncIterator]();
    const before = rssMb();
    await iterator.next(); // the reader takes one chunk, then stops reading (a paused playback, a slow sink)
    await sleep(3_000);
    const grown = rssMb() - before;
    const sentSeconds = peer.audioBytes / BYTES_PER_SECOND;
    console.log(
      `[figure] endless peer, reader waiting 3 s: peer sent ${sentSeconds.toFixed(1)} s, RSS +${grown.toFixed(1)} MB`,
    );
    // What is queued is capped at 10 s; the rest sits in kernel and socket buffers (a few MB at most).
    expect(sentSeconds).toBeGreaterThan(QUEUE_HIGH_SECONDS);
    expect(sentSeconds).toBeLessThan(600);
    expect(grown).toBeLessThan(40);
    const paused = peer.audioBytes;
    await sleep(500);
    expect(peer.audioBytes).toBe(paused); // backpressure reached the peer: it can send no more
    controller.abort(new Error('stopped'));
    await iterator.return?.();
  });

  it('cuts a response whose audio runs far past its text, however fast the reader takes it', async () => {
    const engine = await endless(streamForever);
    const before = rssMb();
    const { error, chunks } = await failureOf(engine.synthesize({ text: 'Hi.', voice }, new AbortController().signal));
    const heardSeconds = chunks.reduce((sum, c) => sum + c.length, 0) / BYTES_PER_SECOND;
    console.log(`[figure] endless peer, reader taking all: ${heardSeconds.toFixed(1)} s heard, then cut`);
    expect(error).toMatchObject({ code: 'AudioTooLong' });
    expect(heardSeconds).toBeLessThanOrEqual(10 + 0.5 * 3 + 0.1);
    expect(rssMb() - before).toBeLessThan(40);
  });

  it('refuses a frame larger than any delta instead of buffering it', async () => {
    const huge = JSON.stringify({ type: 'response.audio.delta', delta: 'A'.repeat(REALTIME_MAX_PAYLOAD_BYTES + 1) });
    const engine = await endless((ws) => ws.send(huge));
    const { error, chunks } = await failureOf(
      engine.synthesize({ text: 'Hello.', voice }, new AbortController().signal),
    );
    expect(chunks).toEqual([]);
    expect(error).toMatchObject({ code: 'ConnectionClosed' });
  });
});
