/**
 * Realtime engine against a scripted server, for shapes the emulator never produces: a response with no
 * audio, a failed status, unknown events and extra fields, an error event while idle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { RealtimeTts } from '../../src/tts/realtimeTts.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { collect, failureOf, RT_MODEL, waitFor } from './helpers.ts';

const never = new AbortController().signal;
const voice: CharacterVoice = {
  name: 'hero',
  voiceId: 'qwen-tts-vd-hero-voice-20260101120000123-a1b2',
  targetModel: RT_MODEL,
  description: '',
  language: 'en',
  createdBy: 'test',
  createdAt: 0,
};

let wss: WebSocketServer | undefined;
let tts: RealtimeTts | undefined;
afterEach(async () => {
  await tts?.close();
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  for (const client of wss?.clients ?? []) client.terminate();
  wss = undefined;
});

const send = (ws: WebSocket, event: Record<string, unknown>): void =>
  ws.send(JSON.stringify({ event_id: 'event_x', ...event }));

/** A server that sets sessions up normally and answers each commit with `respond`. */
async function scripted(respond: (ws: WebSocket) => void): Promise<RealtimeTts> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss!.once('listening', resolve));
  wss.on('connection', (ws) => {
    send(ws, { type: 'session.created', session: { id: 'sess_1', extra: { nested: true } } });
    ws.on('message', (data) => {
      const type = JSON.parse(data.toString()).type;
      if (type === 'session.update') send(ws, { type: 'session.updated', session: { id: 'sess_1' }, surprise: 1 });
      if (type === 'input_text_buffer.commit') respond(ws);
      if (type === 'session.finish') {
        send(ws, { type: 'session.finished' });
        ws.close(1000);
      }
    });
  });
  const { port } = wss.address() as { port: number };
  tts = new RealtimeTts({ apiKey: 'sk-test', realtimeUrl: `ws://127.0.0.1:${port}/api-ws/v1/realtime` });
  return tts;
}

const delta = (bytes: number[]): Record<string, unknown> => ({
  type: 'response.audio.delta',
  delta: Buffer.from(bytes).toString('base64'),
});
const done = (status?: string): Record<string, unknown> => ({
  type: 'response.done',
  response: { status, usage: { characters: 7 } },
});

describe('RealtimeTts against a scripted server', () => {
  it('fails with NoAudio when response.done arrives without audio, and discards the session', async () => {
    const engine = await scripted((ws) => send(ws, done('completed')));
    const { error } = await failureOf(engine.synthesize({ text: 'Hello.', voice }, never));
    expect(error).toMatchObject({ status: 0, code: 'NoAudio' });
    expect(engine.stats).toMatchObject({ sessionsOpen: 0, sessionsDiscarded: 1 });
  });

  it('fails when response.done reports a failed status', async () => {
    const engine = await scripted((ws) => {
      send(ws, delta([1, 0, 2, 0]));
      send(ws, done('failed'));
    });
    const { error } = await failureOf(engine.synthesize({ text: 'Hello.', voice }, never));
    expect(error).toMatchObject({ code: 'ResponseFailed' });
  });

  it('ignores unknown events, extra fields and binary frames, and re-cuts odd deltas into whole samples', async () => {
    const engine = await scripted((ws) => {
      send(ws, { type: 'response.brand_new_event', whatever: [1, 2] });
      ws.send(Buffer.from([9, 9, 9]), { binary: true });
      send(ws, { ...delta([1, 2, 3]), unexpected: 'field' });
      send(ws, delta([4, 5, 6, 7, 8]));
      ws.send('not json at all');
      send(ws, done());
    });
    const synthesis = engine.synthesize({ text: 'Hello.', voice }, never);
    const chunks = await collect(synthesis);
    expect(chunks.map((chunk) => chunk.length)).toEqual([2, 6]);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(synthesis.metrics.characters).toBe(7);
    expect(engine.stats.sessionsOpen).toBe(1);
    await engine.close();
    expect(engine.stats).toMatchObject({ sessionsOpen: 0, sessionsFinished: 1 });
  });

  it('drops an idle session that receives an error event, and opens a new one next time', async () => {
    const sockets: WebSocket[] = [];
    const engine = await scripted((ws) => {
      sockets.push(ws);
      send(ws, delta([1, 0]));
      send(ws, done());
    });
    await collect(engine.synthesize({ text: 'One.', voice }, never));
    send(sockets[0]!, { type: 'error', error: { code: 'InternalError', message: 'boom' } });
    await waitFor(() => engine.stats.sessionsOpen === 0);
    await collect(engine.synthesize({ text: 'Two.', voice }, never));
    expect(engine.stats).toMatchObject({ sessionsOpened: 2, retries: 0 });
  });

  it('never reuses a session that sent audio outside a response', async () => {
    const engine = await scripted((ws) => {
      send(ws, delta([1, 0]));
      send(ws, done());
      send(ws, delta([2, 0]));
    });
    expect(Buffer.concat(await collect(engine.synthesize({ text: 'One.', voice }, never)))).toEqual(
      Buffer.from([1, 0]),
    );
    await waitFor(() => engine.stats.sessionsOpen === 0);
    expect(Buffer.concat(await collect(engine.synthesize({ text: 'Two.', voice }, never)))).toEqual(
      Buffer.from([1, 0]),
    );
    expect(engine.stats.sessionsOpened).toBe(2);
  });
});
