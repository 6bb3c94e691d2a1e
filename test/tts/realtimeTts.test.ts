import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { DashScopeError } from '../../src/dashscope/errors.ts';
import { PIECE_MAX_CHARS, RealtimeTts, type RealtimeTtsOptions } from '../../src/tts/realtimeTts.ts';
import { chunkText, codePointLength } from '../../src/tts/sentences.ts';
import { billableCharacters } from '../emulators/dashscope/audio.ts';
import { useDashScopeEmulator } from '../emulators/dashscope/fixture.ts';
import { stopRealtime } from '../emulators/dashscope/realtime.ts';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { addVoice, collect, expectedPcm, failureOf, OTHER_RT_MODEL, RT_MODEL, sent, waitFor } from './helpers.ts';

const TEXT = 'Hello there. How are you today?';
const never = new AbortController().signal;

let emu: DashScopeEmulator;
let tts: RealtimeTts;
useDashScopeEmulator((started) => (emu = started));
afterEach(async () => {
  await tts?.close();
});

function engine(options: Partial<RealtimeTtsOptions> = {}): RealtimeTts {
  tts = new RealtimeTts({ apiKey: emu.apiKey, realtimeUrl: emu.realtimeUrl, ...options });
  return tts;
}

/** Milliseconds from the start of iteration to the first chunk. */
async function timeToFirstChunk(synthesis: AsyncIterable<Buffer>): Promise<number> {
  const started = performance.now();
  let first: number | undefined;
  for await (const _ of synthesis) first ??= performance.now() - started;
  return first!;
}

describe('RealtimeTts', () => {
  it('yields exactly the synthesized PCM, in even-length chunks, and fills in the metrics', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    const synthesis = engine().synthesize({ text: TEXT, voice }, never);
    const chunks = await collect(synthesis);
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.every((chunk) => chunk.length % 2 === 0)).toBe(true);
    expect(Buffer.concat(chunks).equals(expectedPcm(TEXT, voice))).toBe(true);
    expect(synthesis.metrics).toMatchObject({ warm: false, characters: billableCharacters(TEXT) });
    expect(synthesis.metrics.connectMs).toBeGreaterThan(0);
    expect(synthesis.metrics.firstAudioMs).toBeGreaterThanOrEqual(0);
    expect(synthesis.metrics.totalMs).toBeGreaterThanOrEqual(synthesis.metrics.firstAudioMs!);
    expect(sent(emu, 'session.update')).toEqual([
      expect.objectContaining({
        session: {
          voice: voice.voiceId,
          mode: 'commit',
          response_format: 'pcm',
          sample_rate: 24_000,
          language_type: 'English',
        },
      }),
    ]);
    expect(sent(emu, 'input_text_buffer.commit')).toHaveLength(1);
  });

  it('reuses one session for consecutive utterances and closes it gracefully after warmIdleMs', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine({ warmIdleMs: 300 });
    const texts = ['First line.', 'Second line, a bit longer.', 'Third!'];
    for (const [index, text] of texts.entries()) {
      const synthesis = tts.synthesize({ text, voice }, never);
      expect(Buffer.concat(await collect(synthesis)).equals(expectedPcm(text, voice))).toBe(true);
      expect(synthesis.metrics).toMatchObject({ warm: index > 0, characters: billableCharacters(text) });
      if (index > 0) expect(synthesis.metrics.connectMs).toBe(0);
    }
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
    expect(tts.stats).toMatchObject({ sessionsOpened: 1, utterances: 3, warmUtterances: 2, sessionsOpen: 1 });
    await sleep(100);
    expect(sent(emu, 'session.finish')).toHaveLength(0);
    await waitFor(() => tts.stats.sessionsOpen === 0);
    expect(sent(emu, 'session.finish')).toHaveLength(1);
    expect(tts.stats).toMatchObject({ sessionsFinished: 1, sessionsDiscarded: 0 });
  });

  it('keeps separate sessions per voice', async () => {
    const hero = addVoice(emu, 'hero', RT_MODEL);
    const villain = addVoice(emu, 'villain', RT_MODEL);
    engine();
    for (const voice of [hero, villain, hero, villain]) {
      expect(
        Buffer.concat(await collect(tts.synthesize({ text: TEXT, voice }, never))).equals(expectedPcm(TEXT, voice)),
      ).toBe(true);
    }
    expect(emu.ctx.stats.realtimeSessions).toBe(2);
  });

  it('lets the next utterance in a voice follow the one holding its session, on the same socket', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine();
    const [first, next] = [
      tts.synthesize({ text: 'One.', voice }, never),
      tts.synthesize({ text: 'Two.', voice }, never),
    ];
    const [a, b] = await Promise.all([collect(first), collect(next)]);
    expect(Buffer.concat(a).equals(expectedPcm('One.', voice))).toBe(true);
    expect(Buffer.concat(b).equals(expectedPcm('Two.', voice))).toBe(true);
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
    expect(next.metrics).toMatchObject({ warm: true, connectMs: 0 });
    expect(tts.stats).toMatchObject({ sessionsOpened: 1, warmUtterances: 1, sessionsOpen: 1 });
  });

  it('opens a session of its own for a waiting utterance when the holder is stopped', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine();
    const stop = new AbortController();
    const holder = tts.synthesize({ text: TEXT, voice }, stop.signal)[Symbol.asyncIterator]();
    await holder.next();
    const waiting = collect(tts.synthesize({ text: 'Two.', voice }, never));
    await sleep(50);
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
    stop.abort(new Error('skipped'));
    await expect(holder.next()).rejects.toThrow('skipped');
    expect(Buffer.concat(await waiting).equals(expectedPcm('Two.', voice))).toBe(true);
    expect(emu.ctx.stats.realtimeSessions).toBe(2);
  });

  it('stops waiting for a held session when the waiting utterance is stopped', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine();
    const holder = tts.synthesize({ text: TEXT, voice }, never)[Symbol.asyncIterator]();
    await holder.next();
    const stop = new AbortController();
    const waiting = collect(tts.synthesize({ text: 'Two.', voice }, stop.signal));
    stop.abort(new Error('dropped'));
    await expect(waiting).rejects.toThrow('dropped');
    for (let r = await holder.next(); r.done !== true; r = await holder.next());
    expect(sent(emu, 'input_text_buffer.append').map((e) => (e as { text: string }).text)).toEqual([TEXT]);
    await waitFor(() => tts.stats.sessionsOpen === 1);
    expect(tts.stats.sessionsOpened).toBe(1);
  });

  it('reports usage.characters with CJK ideographs counted twice, in Chinese', async () => {
    const voice = addVoice(emu, 'laoshi', RT_MODEL, 'zh');
    const text = '你好，世界。今天天气很好！';
    const synthesis = engine().synthesize({ text, voice }, never);
    expect(Buffer.concat(await collect(synthesis)).equals(expectedPcm(text, voice))).toBe(true);
    expect(synthesis.metrics.characters).toBe(10 * 2 + 3); // ten ideographs, three punctuation marks
    expect(sent(emu, 'session.update')[0].session.language_type).toBe('Chinese');
  });

  it('sends long text a piece (whole sentences) at a time, one response each, all on one session', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    const text = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1}, spoken in turn.`).join(' ');
    const pieces = chunkText(text, PIECE_MAX_CHARS);
    expect(pieces.length).toBeGreaterThanOrEqual(4);
    const synthesis = engine().synthesize({ text, voice }, never);
    const pcm = Buffer.concat(await collect(synthesis));
    expect(pcm.equals(Buffer.concat(pieces.map((piece) => expectedPcm(piece, voice))))).toBe(true);
    const appends = sent(emu, 'input_text_buffer.append').map((event) => event.text as string);
    expect(appends).toEqual(pieces);
    for (const append of appends) expect(codePointLength(append)).toBeLessThanOrEqual(PIECE_MAX_CHARS);
    expect(sent(emu, 'input_text_buffer.commit')).toHaveLength(pieces.length);
    expect(synthesis.metrics.characters).toBe(billableCharacters(pieces.map((p) => p.trim()).join('')));
    expect(synthesis.metrics.sentCharacters).toBe(synthesis.metrics.characters);
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
  });

  it('sends the next piece only when the reader has taken all the audio of the last', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    const text = Array.from({ length: 12 }, (_, i) => `This is sentence number ${i + 1}, spoken in turn.`).join(' ');
    const controller = new AbortController();
    const synthesis = engine().synthesize({ text, voice }, controller.signal);
    const iterator = synthesis[Symbol.asyncIterator]();
    await iterator.next();
    await waitFor(() => emu.requests.some((r) => r.action === 'input_text_buffer.commit'));
    await sleep(400); // the emulator has long finished the first response: nothing more may go out meanwhile
    expect(sent(emu, 'input_text_buffer.append')).toHaveLength(1);
    controller.abort(new Error('skipped'));
    await iterator.return?.();
    await waitFor(() => tts.stats.sessionsOpen === 0);
    expect(sent(emu, 'input_text_buffer.append')).toHaveLength(1);
    // Billed what went out: the first piece, not the whole text.
    const [first] = chunkText(text, PIECE_MAX_CHARS);
    expect(synthesis.metrics.sentCharacters).toBe(billableCharacters(first!.trim()));
  });

  it('says nothing and opens nothing for blank text', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    expect(await collect(engine().synthesize({ text: '  \n ', voice }, never))).toEqual([]);
    expect(emu.ctx.stats.realtimeSessions).toBe(0);
  });

  it('fails with the server error when the voice is bound to another model, and discards the session', async () => {
    const voice = addVoice(emu, 'hero', OTHER_RT_MODEL);
    const { error } = await failureOf(
      engine().synthesize({ text: TEXT, voice: { ...voice, targetModel: RT_MODEL } }, never),
    );
    expect(error).toBeInstanceOf(DashScopeError);
    expect(error).toMatchObject({ status: 0, code: 'invalid_value' });
    expect(error.serverMessage).toContain(OTHER_RT_MODEL);
    expect(tts.stats).toMatchObject({ sessionsOpen: 0, sessionsDiscarded: 1 });
  });

  it('iterates a synthesis only once', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    const synthesis = engine().synthesize({ text: TEXT, voice }, never);
    await collect(synthesis);
    await expect(collect(synthesis)).rejects.toThrow(/only once/);
  });
});

describe('RealtimeTts prewarm', () => {
  it('makes the next utterance warm: no handshake before its first audio', async () => {
    emu.ctx.options.realtime.handshakeDelayMs = 150;
    const voice = addVoice(emu, 'hero', RT_MODEL);
    const cold = engine().synthesize({ text: TEXT, voice }, never);
    const coldMs = await timeToFirstChunk(cold);
    await tts.close();

    engine().prewarm(voice);
    await sleep(300);
    const warm = tts.synthesize({ text: TEXT, voice }, never);
    await timeToFirstChunk(warm);
    expect(cold.metrics.warm).toBe(false);
    expect(cold.metrics.connectMs).toBeGreaterThanOrEqual(140);
    expect(warm.metrics).toMatchObject({ warm: true, connectMs: 0 });
    expect(coldMs).toBeGreaterThanOrEqual(140);
    expect(tts.stats).toMatchObject({ prewarmed: 1, sessionsOpened: 1 });
  });

  it('lets an utterance claim a session that is still connecting, and opens only one', async () => {
    emu.ctx.options.realtime.handshakeDelayMs = 150;
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine().prewarm(voice);
    tts.prewarm(voice);
    await sleep(100);
    const synthesis = tts.synthesize({ text: TEXT, voice }, never);
    expect(Buffer.concat(await collect(synthesis)).equals(expectedPcm(TEXT, voice))).toBe(true);
    expect(synthesis.metrics.warm).toBe(false);
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
  });

  it('replaces a warm session that died while idle', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine();
    await collect(tts.synthesize({ text: TEXT, voice }, never));
    stopRealtime(emu.ctx);
    await waitFor(() => tts.stats.sessionsOpen === 0);
    const synthesis = tts.synthesize({ text: 'Still here.', voice }, never);
    expect(Buffer.concat(await collect(synthesis)).equals(expectedPcm('Still here.', voice))).toBe(true);
    expect(synthesis.metrics.warm).toBe(false);
    expect(emu.ctx.stats.realtimeSessions).toBe(2);
  });

  it('re-sends on a new session when the warm one dies unnoticed before answering', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine();
    await collect(tts.synthesize({ text: TEXT, voice }, never));
    stopRealtime(emu.ctx); // the client learns of it only after it has sent the next text
    const synthesis = tts.synthesize({ text: 'Still here.', voice }, never);
    expect(Buffer.concat(await collect(synthesis)).equals(expectedPcm('Still here.', voice))).toBe(true);
    expect(tts.stats).toMatchObject({ retries: 1, sessionsOpened: 2, utterances: 2 });
  });

  it('ends idle sessions gracefully on close, and refuses work afterwards', async () => {
    const voice = addVoice(emu, 'hero', RT_MODEL);
    engine();
    tts.prewarm(voice);
    await waitFor(() => emu.ctx.stats.realtimeSessions === 1);
    await sleep(50);
    await tts.close();
    expect(tts.stats).toMatchObject({ sessionsOpen: 0, sessionsFinished: 1 });
    expect(sent(emu, 'session.finish')).toHaveLength(1);
    const { error } = await failureOf(tts.synthesize({ text: TEXT, voice }, never));
    expect(error).toMatchObject({ code: 'ConnectionClosed' });
  });
});
