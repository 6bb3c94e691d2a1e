/**
 * End to end: how the real bot (`npm start`) reacts when Discord closes its voice WebSocket, and a
 * call with DAVE off (protocol version 0, transport encryption only). Heard through alice, a
 * listening member that DAVE-decrypts when the call is end-to-end encrypted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import { type AddedGuild, maxRtpGapMs } from '../emulators/discord/server.ts';
import { countsOf, figures, heardSince } from './dave.helpers.ts';
import { type BotWorld, designVoice, eventually, standardGuild, startWorld, waitForLog } from './harness.ts';

let world: BotWorld;
let g: AddedGuild;
let voiceId: string;

const TEXT = 'The tide is turning, friends, and the old ship is ready to sail across the wide bay.';
const command = (name: string, options: Record<string, string> = {}) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members.alice!,
    name,
    options,
  });
const voice = () => world.discord.voice(g.id);
const alice = () => world.discord.listener(g.id, g.members.alice!)!;
const frames = (text: string): number => expectedTone(text, voiceId).durationMs / 20;
const untilQuiet = () => world.discord.waitForAudio(g.id, { untilIdle: true, timeoutMs: 20_000 });
const linesMatching = (pattern: RegExp): string[] => world.logs.filter((l) => pattern.test(l));

beforeAll(async () => {
  const started = await startWorld([standardGuild('Harbour')]);
  world = started;
  g = started.guilds[0]!;
  const where = { guildId: g.id, channelId: g.channels.general!, userId: g.members.alice! };
  voiceId = await designVoice(world, g, 'Captain');
  await world.discord
    .slashCommand({ ...where, name: 'voice', subcommand: 'use', options: { name: 'Captain' } })
    .reply();
}, 90_000);
afterAll(() => world?.close(), 30_000);

/** Joins (if needed), waits for the call to be end-to-end encrypted, and returns the IDENTIFY count. */
async function connected(): Promise<number> {
  await command('join').reply();
  await world.discord.waitForVoice(g.id, (v) => v.connected && v.dave?.established === true, 10_000);
  return voice().identifies;
}

describe('voice close codes', () => {
  it('4006 (session no longer valid): one clean rejoin, and the queued utterances are still spoken', async () => {
    const identifies = await connected();
    const second = 'And the harbour lights are shining.';
    const before = countsOf(alice());
    world.discord.clearAudio(g.id);
    await command('say', { text: TEXT }).reply();
    await command('say', { text: second }).reply();
    await world.discord.waitForAudio(g.id, { minMs: 600 });
    const spoken = linesMatching(/"msg":"spoken"/).length;
    world.discord.closeVoice(g.id, 4_006, 'Session no longer valid.');
    await eventually(() => linesMatching(/"msg":"spoken"/).length >= spoken + 2, 30_000, 'both utterances spoken');
    await untilQuiet();
    expect(voice().identifies).toBe(identifies + 1);
    expect(linesMatching(/"closeCode":4006.*session is no longer valid; rejoining/)).toHaveLength(1);
    const heard = heardSince(alice(), before);
    // The first utterance resumes after the rejoin (frames sent while disconnected are lost), then the second plays
    // whole.
    expect(heard.audio.length).toBeGreaterThan(frames(second) + 30);
    expect(heard.audio.length).toBeLessThanOrEqual(frames(TEXT) + frames(second) + 4);
    expect(heard.failed).toBeLessThanOrEqual(2);
    figures('4006 rejoin', { identifiesBefore: identifies, identifiesAfter: voice().identifies, heard });
  });

  it('4009 (session timed out) rejoins once', async () => {
    const identifies = await connected();
    world.discord.closeVoice(g.id, 4_009, 'Session timeout.');
    await world.discord.waitForVoice(g.id, (v) => v.identifies === identifies + 1 && v.connected, 10_000);
    await waitForLog(world.logs, /"closeCode":4009.*timed out; rejoining/, 5_000);
  });

  for (const [code, pattern] of [
    [4_021, /rate limited/],
    [4_022, /call was terminated/],
  ] as const) {
    it(`${code} is not retried: the bot leaves the channel and does not identify again`, async () => {
      const identifies = await connected();
      world.discord.closeVoice(g.id, code);
      await world.discord.waitForVoice(g.id, (v) => v.requests.at(-1)?.channelId === null, 10_000);
      await waitForLog(world.logs, new RegExp(`"closeCode":${code}.*${pattern.source}`), 5_000);
      expect(voice().identifies).toBe(identifies);
    });
  }

  it('4014 (disconnected) is not retried', async () => {
    const identifies = await connected();
    world.discord.closeVoice(g.id, 4_014, 'Disconnected.');
    await world.discord.waitForVoice(g.id, (v) => v.requests.at(-1)?.channelId === null, 15_000);
    expect(voice().identifies).toBe(identifies);
  });

  it('4017 is logged once as "DAVE required, not retrying", and the bot does not rejoin', async () => {
    const identifies = await connected();
    world.discord.closeVoice(g.id, 4_017, 'E2EE/DAVE protocol required');
    await world.discord.waitForVoice(g.id, (v) => v.requests.at(-1)?.channelId === null, 10_000);
    await eventually(() => linesMatching(/"closeCode":4017/).length > 0, 5_000, 'the 4017 log line');
    const lines = linesMatching(/"closeCode":4017/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/"level":50.*requires end-to-end encryption \(DAVE\).*Not retrying/);
    expect(voice().identifies).toBe(identifies);
  });
});

describe('DAVE off', () => {
  it('with DAVE version 0 the call is transport-encrypted only; alice hears every frame in passthrough', async () => {
    await command('leave').reply();
    world.discord.setDaveOptions({ version: 0 });
    try {
      await command('join').reply();
      await world.discord.waitForVoice(g.id, (v) => v.connected && v.daveVersion === 0, 10_000);
      const before = countsOf(alice());
      world.discord.clearAudio(g.id);
      await command('say', { text: TEXT }).reply();
      await untilQuiet();
      const heard = heardSince(alice(), before);
      expect(voice().daveVersionOffered).toBe(1);
      expect(Math.abs(heard.audio.length - frames(TEXT))).toBeLessThanOrEqual(2);
      expect(maxRtpGapMs(heard.audio)).toBeLessThanOrEqual(40);
      expect(heard.decrypted).toBe(0);
      expect(heard.failed).toBe(0);
      expect(heard.passthrough).toBe(heard.received);
      expect(voice().dave?.transitions).toEqual([]);
    } finally {
      world.discord.setDaveOptions({ version: 1 });
      await command('leave').reply();
    }
  });
});
