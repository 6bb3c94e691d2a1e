import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { synthesizePcm } from './dashscope/audio.ts';
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
/** 200 ms + 45 ms × 40 code points = 2 s of audio: 20 deltas of 100 ms. */
const TEXT = 'This sentence is exactly forty chars ok.';

let emu: DashScopeEmulator;
let voice: string;
useDashScopeEmulator((started) => (emu = started));
beforeEach(() => {
  voice = addVoice(emu, 'hero', VD_MODEL);
});

/** Opens a commit-mode session and commits `text`. */
async function speak(text = TEXT): Promise<Probe> {
  const probe = await connect(emu, VD_MODEL);
  probe.send({ type: 'session.update', session: { voice, mode: 'commit' } });
  await probe.next('session.updated');
  probe.send({ type: 'input_text_buffer.append', text });
  probe.send({ type: 'input_text_buffer.commit' });
  return probe;
}

/** Speaks once more on a fresh session and expects a normal response (the fault has reset). */
async function expectNormalSession(): Promise<void> {
  const probe = await speak('Normal again.');
  const events = await probe.until('response.done');
  expect(collapseDeltas(events.map((e) => e.type)).slice(1)).toEqual(RESPONSE_SEQUENCE);
  expect(probe.binaryFrames).toBe(0);
  probe.ws.close();
}

describe('faults', () => {
  it.each([401, 429] as const)('refuses the next upgrade with %i and a JSON body, once', async (status) => {
    emu.faults.realtime.handshakeStatus = status;
    const refused = await refusedUpgrade(`${emu.realtimeUrl}?model=${VD_MODEL}`, {
      authorization: `Bearer ${emu.apiKey}`,
    });
    expect(refused.status).toBe(status);
    expect(refused.body.code).toBe(status === 401 ? 'InvalidApiKey' : 'Throttling.RateQuota');
    await expectNormalSession();
  });

  it('sends an error after N deltas, then closes', async () => {
    emu.faults.realtime.errorAfterDeltas = 3;
    const probe = await speak();
    const events = await probe.until('error');
    expect(deltasOf(events)).toHaveLength(3);
    expect(events.at(-1)!.error.code).toBe('InternalError');
    expect((await probe.closed).code).toBe(1011);
    await expectNormalSession();
  });

  it('drops the TCP connection after N deltas, with no close frame', async () => {
    emu.faults.realtime.dropAfterDeltas = 2;
    const probe = await speak();
    expect((await probe.closed).code).toBe(1006);
    expect(deltasOf(probe.events)).toHaveLength(2);
    await expectNormalSession();
  });

  it('stalls after N deltas, keeping the socket open', async () => {
    emu.faults.realtime.stallAfterDeltas = 4;
    const probe = await speak();
    await sleep(150);
    expect(deltasOf(probe.events)).toHaveLength(4);
    probe.send({ type: 'session.finish' });
    await sleep(50);
    expect(probe.types().at(-1)).toBe('response.audio.delta');
    expect(probe.ws.readyState).toBe(probe.ws.OPEN);
    probe.ws.close();
    await expectNormalSession();
  });

  it('closes silently right after session.created', async () => {
    emu.faults.realtime.silentClose = true;
    const probe = await connect(emu, VD_MODEL);
    expect((await probe.closed).code).toBe(1000);
    expect(probe.types()).toEqual(['session.created']);
    await expectNormalSession();
  });

  it('sends content_part.done and output_item.done before audio.done', async () => {
    emu.faults.realtime.reorderDoneEvents = true;
    const probe = await speak();
    const types = collapseDeltas((await probe.until('response.done')).map((e) => e.type)).slice(-4);
    expect(types).toEqual([
      'response.content_part.done',
      'response.output_item.done',
      'response.audio.done',
      'response.done',
    ]);
    probe.ws.close();
    await expectNormalSession();
  });

  it('interleaves binary frames between the events of a response', async () => {
    emu.faults.realtime.binaryFrames = true;
    const probe = await speak();
    const events = await probe.until('response.done');
    expect(probe.binaryFrames).toBe(events.length - 1);
    expect(pcmOf(events).equals(synthesizePcm(TEXT, voice, 24000))).toBe(true);
    probe.ws.close();
    await expectNormalSession();
  });

  it('splits deltas at odd byte counts while the audio stays whole', async () => {
    emu.faults.realtime.oddLengthDeltas = true;
    const probe = await speak();
    const deltas = deltasOf(await probe.until('response.done'));
    for (const delta of deltas.slice(0, -1)) expect(delta.length % 2).toBe(1);
    expect(Buffer.concat(deltas).equals(synthesizePcm(TEXT, voice, 24000))).toBe(true);
    probe.ws.close();
    await expectNormalSession();
  });

  it('fires a delta fault on an already open session', async () => {
    const probe = await speak('Warm up.');
    await probe.until('response.done');
    emu.faults.realtime.errorAfterDeltas = 1;
    probe.send({ type: 'input_text_buffer.append', text: TEXT });
    probe.send({ type: 'input_text_buffer.commit' });
    expect(deltasOf(await probe.until('error'))).toHaveLength(1);
  });
});

describe('pacing', () => {
  it('waits firstPacketDelayMs, then sends audio no faster than realTimeFactor', async () => {
    Object.assign(emu.ctx.options.realtime, { realTimeFactor: 0.25, chunkMs: 100, firstPacketDelayMs: 80 });
    const probe = await speak();
    const events = await probe.until('response.done');
    const created = events.find((e) => e.type === 'response.created')!;
    const deltas = events.filter((e) => e.type === 'response.audio.delta');
    expect(deltas).toHaveLength(20);
    expect(deltas[0]!.at - created.at).toBeGreaterThanOrEqual(75);
    for (const [k, delta] of deltas.entries()) expect(delta.at - created.at).toBeGreaterThanOrEqual(80 + k * 25 - 5);
    expect(deltas.at(-1)!.at - deltas[0]!.at).toBeLessThan(19 * 25 + 250);
    probe.ws.close();
  });

  it('stops its timers when the client closes mid-response', async () => {
    Object.assign(emu.ctx.options.realtime, { realTimeFactor: 1, chunkMs: 100 });
    const timers = (): number =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
    await sleep(50);
    const before = timers();
    const probe = await speak();
    await probe.next('response.audio.delta');
    expect(timers()).toBeGreaterThan(before);
    probe.ws.close();
    await probe.closed;
    await sleep(20);
    expect(timers()).toBeLessThanOrEqual(before);
    const received = probe.events.length;
    await sleep(250);
    expect(probe.events.length).toBe(received);
  });
});
