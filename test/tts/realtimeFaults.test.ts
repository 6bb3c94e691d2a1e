import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DashScopeError } from '../../src/dashscope/errors.ts';
import { RealtimeTts, type RealtimeTtsOptions } from '../../src/tts/realtimeTts.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { useDashScopeEmulator } from '../emulators/dashscope/fixture.ts';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { addVoice, collect, expectedPcm, failureOf, RT_MODEL, startTcpProxy, waitFor } from './helpers.ts';

/** 200 ms + 45 ms × 40 code points = 2 s of audio: 20 deltas of 100 ms. */
const TEXT = 'This sentence is exactly forty chars ok.';
const never = new AbortController().signal;

let emu: DashScopeEmulator;
let tts: RealtimeTts;
let voice: CharacterVoice;
useDashScopeEmulator((started) => (emu = started));
beforeEach(() => {
  voice = addVoice(emu, 'hero', RT_MODEL);
});
afterEach(async () => {
  await tts?.close();
});

function engine(options: Partial<RealtimeTtsOptions> = {}): RealtimeTts {
  tts = new RealtimeTts({ apiKey: emu.apiKey, realtimeUrl: emu.realtimeUrl, ...options });
  return tts;
}

/** The next utterance works, on a new session (the failed one was not reused). */
async function expectRecovery(sessionsBefore: number): Promise<void> {
  const synthesis = tts.synthesize({ text: 'Normal again.', voice }, never);
  expect(Buffer.concat(await collect(synthesis)).equals(expectedPcm('Normal again.', voice))).toBe(true);
  expect(synthesis.metrics.warm).toBe(false);
  expect(emu.ctx.stats.realtimeSessions).toBe(sessionsBefore + 1);
}

describe('RealtimeTts strict failures', () => {
  it.each([
    [401, 'InvalidApiKey'],
    [429, 'Throttling.RateQuota'],
  ] as const)('turns a handshake refused with %i into a DashScopeError with the body code %s', async (status, code) => {
    emu.faults.realtime.handshakeStatus = status;
    const { error } = await failureOf(engine().synthesize({ text: TEXT, voice }, never));
    expect(error).toBeInstanceOf(DashScopeError);
    expect(error).toMatchObject({ status, code });
    expect(error.requestId).toMatch(/\S/);
    expect(tts.stats.sessionsOpen).toBe(0);
    await expectRecovery(0);
  });

  it('never puts the API key into the error', async () => {
    const apiKey = 'sk-this-key-is-secret-0123456789';
    tts = new RealtimeTts({ apiKey, realtimeUrl: emu.realtimeUrl });
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status: 401, code: 'InvalidApiKey' });
    const everything = `${error.message} ${error.stack} ${JSON.stringify(error)} ${String(error.cause)}`;
    expect(everything).not.toContain(apiKey);
  });

  it('turns an error event mid-stream into a DashScopeError and discards the session', async () => {
    emu.faults.realtime.errorAfterDeltas = 3;
    engine();
    const { error, chunks } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status: 0, code: 'InternalError' });
    expect(chunks.length).toBeLessThanOrEqual(3);
    expect(tts.stats).toMatchObject({ sessionsOpen: 0, sessionsDiscarded: 1 });
    await expectRecovery(1);
  });

  it('turns a socket dropped mid-stream into ConnectionClosed', async () => {
    emu.faults.realtime.dropAfterDeltas = 2;
    engine();
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status: 0, code: 'ConnectionClosed' });
    expect(error.message).toMatch(/during the response/);
    await expectRecovery(1);
  });

  it('fires the idle timeout when the stream stalls, and closes the socket', async () => {
    emu.faults.realtime.stallAfterDeltas = 2;
    engine({ timeouts: { idleMs: 200 } });
    const started = performance.now();
    const { error, chunks } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    const elapsed = performance.now() - started;
    expect(error).toMatchObject({ code: 'Timeout' });
    expect(error.message).toMatch(/no audio for 200 ms/);
    expect(chunks.length).toBeLessThanOrEqual(2);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(tts.stats.sessionsOpen).toBe(0);
    await expectRecovery(1);
  });

  it('fires the first-audio timeout', async () => {
    emu.ctx.options.realtime.firstPacketDelayMs = 1_000;
    engine({ timeouts: { firstAudioMs: 150 } });
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ code: 'Timeout' });
    expect(error.message).toMatch(/first audio/);
  });

  it('fires the connect timeout', async () => {
    emu.ctx.options.realtime.handshakeDelayMs = 1_000;
    engine({ timeouts: { connectMs: 150 } });
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ code: 'Timeout' });
    expect(error.message).toMatch(/connect/);
    expect(tts.stats.sessionsOpen).toBe(0);
  });

  it('turns a silent close after session.created into ConnectionClosed', async () => {
    emu.faults.realtime.silentClose = true;
    engine();
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status: 0, code: 'ConnectionClosed' });
    await expectRecovery(1);
  });

  it('reports a refused connection as NetworkError', async () => {
    tts = new RealtimeTts({ apiKey: emu.apiKey, realtimeUrl: 'ws://127.0.0.1:1/api-ws/v1/realtime' });
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ status: 0, code: 'NetworkError' });
  });
});

describe('RealtimeTts tolerance', () => {
  it.each([
    ['reordered done events', 'reorderDoneEvents'],
    ['binary frames between events', 'binaryFrames'],
    ['odd-length deltas', 'oddLengthDeltas'],
  ] as const)('gives identical audio despite %s, and reuses the session', async (_name, fault) => {
    emu.faults.realtime[fault] = true;
    engine();
    const chunks = await collect(tts.synthesize({ text: TEXT, voice }, never));
    expect(chunks.every((chunk) => chunk.length % 2 === 0)).toBe(true);
    expect(Buffer.concat(chunks).equals(expectedPcm(TEXT, voice))).toBe(true);
    await collect(tts.synthesize({ text: 'Next.', voice }, never));
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
  });
});

describe('RealtimeTts abort', () => {
  beforeEach(() => {
    emu.ctx.options.realtime.realTimeFactor = 1;
  });

  it('stops mid-utterance, closes the socket at once, and the next utterance works', async () => {
    const proxy = await startTcpProxy(emu.realtimeUrl);
    try {
      tts = new RealtimeTts({ apiKey: emu.apiKey, realtimeUrl: proxy.url });
      const controller = new AbortController();
      const iterator = tts.synthesize({ text: TEXT, voice }, controller.signal)[Symbol.asyncIterator]();
      expect((await iterator.next()).done).toBe(false);
      const pending = iterator.next();
      expect(proxy.open).toBe(1);
      controller.abort();
      await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
      // A finished session would stay open in the pool: only the abort closes the socket.
      await waitFor(() => proxy.open === 0, 5_000);
      expect(tts.stats.sessionsOpen).toBe(0);
      emu.ctx.options.realtime.realTimeFactor = 0;
      const next = tts.synthesize({ text: 'Normal again.', voice }, never);
      expect(Buffer.concat(await collect(next)).equals(expectedPcm('Normal again.', voice))).toBe(true);
      expect(emu.ctx.stats.realtimeSessions).toBe(2);
    } finally {
      await tts.close();
      await proxy.close();
    }
  });

  it('closes the socket at once even while the consumer holds a chunk', async () => {
    engine();
    const controller = new AbortController();
    const iterator = tts.synthesize({ text: TEXT, voice }, controller.signal)[Symbol.asyncIterator]();
    await iterator.next();
    controller.abort(new Error('skip'));
    await waitFor(() => tts.stats.sessionsOpen === 0, 5_000);
    await expect(iterator.next()).rejects.toThrow('skip');
  });

  it('closes the socket when the consumer breaks out early', async () => {
    engine();
    for await (const _ of tts.synthesize({ text: TEXT, voice }, never)) break;
    await waitFor(() => tts.stats.sessionsOpen === 0, 5_000);
    expect(tts.stats.sessionsDiscarded).toBe(1);
    emu.ctx.options.realtime.realTimeFactor = 0;
    await expectRecovery(1);
  });

  it('stops while connecting', async () => {
    emu.ctx.options.realtime.handshakeDelayMs = 8_000;
    engine();
    const controller = new AbortController();
    const done = failureOf(tts.synthesize({ text: TEXT, voice }, controller.signal));
    await sleep(50);
    const abortedAt = performance.now();
    controller.abort();
    const { error } = await done;
    expect(error.name).toBe('AbortError');
    // Not waiting for the handshake, which would take 8 s.
    expect(performance.now() - abortedAt).toBeLessThan(4_000);
    expect(tts.stats.sessionsOpen).toBe(0);
  });

  it('fails an utterance in progress with ConnectionClosed when the engine closes, opening nothing more', async () => {
    engine();
    const iterator = tts.synthesize({ text: TEXT, voice }, never)[Symbol.asyncIterator]();
    await iterator.next();
    await tts.close();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'ConnectionClosed' });
    expect(tts.stats).toMatchObject({ sessionsOpen: 0, sessionsOpened: 1 });
  });

  it('throws at once when the signal is already aborted, opening nothing', async () => {
    engine();
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, AbortSignal.abort()));
    expect(error.name).toBe('AbortError');
    expect(tts.stats.sessionsOpened).toBe(0);
  });
});
