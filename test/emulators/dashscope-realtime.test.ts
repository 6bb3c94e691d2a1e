import { beforeEach, describe, expect, it } from 'vitest';
import { billableCharacters, synthesizePcm } from './dashscope/audio.ts';
import { useDashScopeEmulator } from './dashscope/fixture.ts';
import type { DashScopeEmulator } from './dashscope/server.ts';
import {
  addVoice,
  collapseDeltas,
  connect,
  deltasOf,
  type Probe,
  pcmOf,
  RESPONSE_SEQUENCE,
  refusedUpgrade,
} from './dashscope-realtime.helpers.ts';

const VD_MODEL = 'qwen3-tts-vd-realtime-2026-01-15';
const OLD_VD_MODEL = 'qwen3-tts-vd-realtime-2025-12-16';
const ID = (prefix: string): RegExp => new RegExp(`^${prefix}_[A-Za-z0-9]{21}$`);
const UPDATE_ERROR = 'Session update error: session already started or finished or failed.';

let emu: DashScopeEmulator;
let voice: string;
useDashScopeEmulator((started) => (emu = started));
beforeEach(() => {
  voice = addVoice(emu, 'hero', VD_MODEL);
});

/** Connects to the VD model, sets the voice and `session` fields, and waits for `session.updated`. */
async function session(fields: Record<string, unknown> = {}): Promise<Probe> {
  const probe = await connect(emu, VD_MODEL);
  await probe.next('session.created');
  probe.send({ type: 'session.update', session: { voice, mode: 'commit', ...fields } });
  await probe.next('session.updated');
  return probe;
}

describe('handshake', () => {
  it('refuses a missing or wrong key with 401 InvalidApiKey and counts no session', async () => {
    const url = `${emu.realtimeUrl}?model=${VD_MODEL}`;
    for (const headers of [{}, { authorization: 'Bearer nope' }] as Record<string, string>[]) {
      const { status, body } = await refusedUpgrade(url, headers);
      expect(status).toBe(401);
      expect(body).toMatchObject({ code: 'InvalidApiKey', message: 'Invalid API-key provided.' });
      expect(body.request_id).toEqual(expect.any(String));
    }
    expect(emu.ctx.stats.realtimeSessions).toBe(0);
  });

  it('accepts the scheme in any case and requires ?model=', async () => {
    const probe = await connect(emu, VD_MODEL, `bearer ${emu.apiKey}`);
    expect((await probe.next('session.created')).session.model).toBe(VD_MODEL);
    probe.ws.close();
    const refused = await refusedUpgrade(emu.realtimeUrl, { authorization: `Bearer ${emu.apiKey}` });
    expect(refused.status).toBe(400);
    expect(emu.ctx.stats.realtimeSessions).toBe(1);
  });

  it('waits handshakeDelayMs before answering', async () => {
    emu.ctx.options.realtime.handshakeDelayMs = 120;
    const started = performance.now();
    const probe = await connect(emu, VD_MODEL);
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    probe.ws.close();
  });

  it('sends session.created with the defaults at once', async () => {
    const probe = await connect(emu, VD_MODEL);
    const created = await probe.next('session.created');
    expect(created.event_id).toMatch(ID('event'));
    expect(created.session).toMatchObject({
      object: 'realtime.session',
      mode: 'server_commit',
      model: VD_MODEL,
      voice: 'Cherry',
      response_format: 'pcm',
      sample_rate: 24000,
    });
    expect(created.session.id).toMatch(ID('sess'));
    probe.ws.close();
  });
});

describe('commit mode', () => {
  it('runs the full sequence per commit, several responses in one session, then finishes', async () => {
    const probe = await session({ language_type: 'English' });
    const texts = ['Hello there, traveller.', 'Second line!'];
    for (const text of texts) {
      probe.send({ type: 'input_text_buffer.append', text });
      probe.send({ type: 'input_text_buffer.commit' });
      const events = await probe.until('response.done');
      expect(collapseDeltas(events.map((e) => e.type))).toEqual(['input_text_buffer.committed', ...RESPONSE_SEQUENCE]);
      expect(events[0]).toMatchObject({ item_id: '' });
      const [created, added] = [events[1]!, events[2]!];
      expect(created.response).toMatchObject({
        object: 'realtime.response',
        status: 'in_progress',
        voice,
        conversation_id: '',
      });
      expect(created.response.id).toMatch(ID('resp'));
      expect(added.item.id).toMatch(ID('item'));
      for (const event of events.slice(2)) expect(event.response_id ?? event.response.id).toBe(created.response.id);
      expect(pcmOf(events).equals(synthesizePcm(text, voice, 24000))).toBe(true);
      const done = events.at(-1)!;
      expect(done.response).toMatchObject({
        status: 'completed',
        modalities: ['text', 'audio'],
        usage: { characters: text.length },
      });
      expect(done.response.output[0].content).toEqual([{ type: 'audio', transcript: '' }]);
    }
    probe.send({ type: 'session.finish' });
    await probe.next('session.finished');
    expect(await probe.closed).toEqual({ code: 1000, reason: '' });
    const actions = emu.requests.filter((r) => r.method === 'WS').map((r) => r.action);
    expect(actions).toEqual([
      'session.update',
      ...texts.flatMap(() => ['input_text_buffer.append', 'input_text_buffer.commit']),
      'session.finish',
    ]);
  });

  it('sends deltas of chunkMs audio, whole samples, at the session sample rate', async () => {
    const probe = await session({ sample_rate: 48000 });
    probe.send({ type: 'input_text_buffer.append', text: 'Forty-eight kilohertz.' });
    probe.send({ type: 'input_text_buffer.commit' });
    const deltas = deltasOf(await probe.until('response.done'));
    for (const delta of deltas.slice(0, -1)) expect(delta.length).toBe(9600);
    expect(Buffer.concat(deltas).equals(synthesizePcm('Forty-eight kilohertz.', voice, 48000))).toBe(true);
    probe.ws.close();
  });

  it('counts CJK ideographs twice in usage.characters', async () => {
    const probe = await session();
    const text = '你好，world。こんにちは';
    probe.send({ type: 'input_text_buffer.append', text });
    probe.send({ type: 'input_text_buffer.commit' });
    const done = await probe.next('response.done');
    expect(billableCharacters(text)).toBe(4 + 1 + 5 + 1 + 5);
    expect(done.response.usage.characters).toBe(16);
    probe.ws.close();
  });

  it('rejects a commit of an empty buffer, and after a clear', async () => {
    const probe = await session();
    probe.send({ type: 'input_text_buffer.commit' });
    expect((await probe.next('error')).error.code).toBe('invalid_value');
    probe.send({ type: 'input_text_buffer.append', text: 'Never mind.' });
    probe.send({ type: 'input_text_buffer.clear' });
    await probe.next('input_text_buffer.cleared');
    probe.send({ type: 'input_text_buffer.commit' });
    await probe.next('error');
    probe.send({ type: 'session.finish' });
    const tail = await probe.until('session.finished');
    expect(tail.map((e) => e.type)).toEqual(['session.finished']);
  });
});

describe('server_commit mode', () => {
  it('starts a response per complete sentence and flushes the rest on finish', async () => {
    const probe = await session({ mode: 'server_commit' });
    for (const text of ['Hello there. How ', 'are you? I am', ' fine'])
      probe.send({ type: 'input_text_buffer.append', text });
    probe.send({ type: 'session.finish' });
    const events = await probe.until('session.finished');
    const starts = events
      .map((e, i) => [e, i] as const)
      .filter(([e]) => e.type === 'response.created')
      .map(([, i]) => i);
    const spoken = starts.map((start, n) => pcmOf(events.slice(start, starts[n + 1])));
    const texts = ['Hello there.', 'How are you?', 'I am fine'];
    expect(spoken.map((pcm, n) => pcm.equals(synthesizePcm(texts[n]!, voice, 24000)))).toEqual([true, true, true]);
    expect(events.filter((e) => e.type === 'response.done').map((e) => e.response.usage.characters)).toEqual([
      12, 12, 9,
    ]);
    expect(events.some((e) => e.type === 'input_text_buffer.committed')).toBe(false);
    expect((await probe.closed).code).toBe(1000);
  });

  it('answers a commit with committed and speaks the rest at once', async () => {
    const probe = await session({ mode: 'server_commit' });
    probe.send({ type: 'input_text_buffer.append', text: 'No punctuation here' });
    probe.send({ type: 'input_text_buffer.commit' });
    const events = await probe.until('response.done');
    expect(events[0]!.type).toBe('input_text_buffer.committed');
    expect(pcmOf(events).equals(synthesizePcm('No punctuation here', voice, 24000))).toBe(true);
    probe.ws.close();
  });
});

describe('session.update', () => {
  it('merges known keys, ignores unknown ones and echoes the session', async () => {
    const probe = await connect(emu, VD_MODEL);
    probe.send({
      type: 'session.update',
      session: { voice, mode: 'commit', enable_tn: true, made_up: 1, speech_rate: 1.5 },
    });
    const updated = await probe.next('session.updated');
    expect(updated.session).toMatchObject({
      voice,
      mode: 'commit',
      sample_rate: 24000,
      speech_rate: 1.5,
      enable_tn: true,
    });
    expect(updated.session.made_up).toBeUndefined();
    probe.ws.close();
  });

  it.each([
    ['mode', 'auto'],
    ['sample_rate', 44100],
    ['language_type', 'en'],
    ['volume', 101],
    ['speech_rate', 3],
    ['response_format', 'mp3'],
  ])('rejects %s = %j with invalid_value', async (key, value) => {
    const probe = await connect(emu, VD_MODEL);
    probe.send({ type: 'session.update', session: { voice, [key]: value } });
    const error = await probe.next('error');
    expect(error.error.code).toBe('invalid_value');
    expect(probe.types()).not.toContain('session.updated');
    probe.ws.close();
  });

  it('rejects an update once text was appended', async () => {
    const probe = await session();
    probe.send({ type: 'input_text_buffer.append', text: 'Started.' });
    probe.send({ type: 'session.update', session: { voice } });
    expect((await probe.next('error')).error).toEqual({ code: 'invalid_value', message: UPDATE_ERROR });
    probe.ws.close();
  });
});

describe('designed-voice rule', () => {
  it.each([
    ['an unknown voice', VD_MODEL, () => 'qwen-tts-vd-ghost-voice-20260101120000-dead'],
    ['a system voice on a VD model', VD_MODEL, () => 'Cherry'],
    ['a voice bound to another model', OLD_VD_MODEL, () => voice],
    ['a designed voice on a flash model', 'qwen3-tts-flash-realtime', () => voice],
  ])('rejects %s in session.update', async (_name, model, voiceOf) => {
    const probe = await connect(emu, model);
    probe.send({ type: 'session.update', session: { voice: voiceOf() } });
    const error = await probe.next('error');
    expect(error.error.code).toBe('invalid_value');
    expect(error.error.message).toContain(voiceOf());
    probe.ws.close();
  });

  it('rejects synthesis with the default voice on a VD model', async () => {
    const probe = await connect(emu, VD_MODEL);
    probe.send({ type: 'input_text_buffer.append', text: 'Hi.' });
    expect((await probe.next('error')).error.message).toContain('Cherry');
    expect(probe.types()).not.toContain('response.created');
    probe.ws.close();
  });
});
