/**
 * End to end with DAVE: the real bot (`npm start`) speaks in an end-to-end-encrypted call, heard by
 * listening members that DAVE-decrypt every frame (@snazzah/davey). Members join and leave while the
 * bot speaks, which makes the emulator propose Adds and Removes and move the group to new epochs.
 * Gaps and lengths are measured in RTP timestamps and frame counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import { type AddedGuild, maxRtpGapMs } from '../emulators/discord/server.ts';
import { countsOf, figures, heardSince, sequenceGaps } from './dave.helpers.ts';
import { type BotWorld, designVoice, eventually, startWorld, waitForLog } from './harness.ts';

let world: BotWorld;
let g: AddedGuild;
let voiceId: string;
let botId: string;

const TEXT = 'The tide is turning, friends, and the old ship is ready to sail across the wide bay.'; // ≈ 4 s
const id = (name: string): string => g.members[name]!;
const command = (name: string, userId = 'alice', options: Record<string, string> = {}) =>
  world.discord.slashCommand({ guildId: g.id, channelId: g.channels.general!, userId: id(userId), name, options });
const listener = (name: string) => world.discord.listener(g.id, id(name))!;
const dave = () => world.discord.voice(g.id).dave!;
const move = (name: string, channel: string | null) =>
  world.discord.setVoiceState(g.id, id(name), channel === null ? null : g.channels[channel]!);
const spokenCount = (): number => world.logs.filter((l) => l.includes('"msg":"spoken"')).length;
/** Waits for the bot's "spoken" log of the next utterance (a stall also ends in silence frames), then for silence. */
async function untilSpoken(before: number): Promise<void> {
  await eventually(() => spokenCount() > before, 40_000, 'the utterance to be spoken');
  await world.discord.waitForAudio(g.id, { untilIdle: true, timeoutMs: 10_000 });
}
const frames = (text: string): number => expectedTone(text, voiceId).durationMs / 20;

beforeAll(async () => {
  const started = await startWorld([
    {
      name: 'Harbour',
      channels: [
        { type: 'text', name: 'general' },
        { type: 'voice', name: 'Lounge' },
      ],
      members: [{ username: 'alice' }, { username: 'bob' }, { username: 'carol' }],
    },
  ]);
  world = started;
  g = started.guilds[0]!;
  botId = world.discord.applicationId;
  const where = { guildId: g.id, channelId: g.channels.general!, userId: id('alice') };
  voiceId = await designVoice(world, g, 'Captain');
  await world.discord
    .slashCommand({ ...where, name: 'voice', subcommand: 'default', options: { name: 'Captain' } })
    .reply();
}, 90_000);
afterAll(() => world?.close(), 30_000);

describe('DAVE: members join and leave while the bot speaks', () => {
  it('a member joining mid-utterance hears the rest after the transition; the other hears no gap', async () => {
    await command('join', 'alice', { channel: g.channels.Lounge! }).reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected && v.daveVersion === 1);
    move('bob', 'Lounge');
    await eventually(
      () => listener('bob')?.inGroup && dave().transitions.at(-1)?.executedAt != null,
      10_000,
      'bob in the group',
    );
    await waitForLog(
      world.logs,
      /"voicePrivacyCode":"\d{30}","msg":"voice call is end-to-end encrypted \(DAVE\)"/,
      5_000,
    );
    expect(dave().transitions[0]).toMatchObject({ id: 1, epoch: 1 }); // a new group, announced with a counted id
    const bobBefore = countsOf(listener('bob'));
    const epochs = dave().transitions.length;
    world.discord.clearAudio(g.id);
    const spoken = spokenCount();
    await command('say', 'alice', { text: TEXT }).reply();
    await world.discord.waitForAudio(g.id, { minMs: 1_000 });
    move('alice', 'Lounge');
    await untilSpoken(spoken);
    const joined = dave()
      .transitions.slice(epochs)
      .find((t) => t.added.includes(id('alice')));
    expect(joined).toBeDefined();
    const bob = heardSince(listener('bob'), bobBefore);
    const alice = heardSince(listener('alice'), countsOf(undefined));
    expect(Math.abs(bob.audio.length - frames(TEXT))).toBeLessThanOrEqual(2);
    expect(maxRtpGapMs(bob.audio)).toBeLessThanOrEqual(100);
    expect(bob.failed).toBe(0);
    // Alice hears every frame from the transition on, to the last one.
    const afterTransition = bob.audio.filter((p) => p.receivedAt > joined!.executedAt!).map((p) => p.timestamp);
    const aliceStamps = new Set(alice.audio.map((p) => p.timestamp));
    expect(afterTransition.length).toBeGreaterThan(20);
    // The player prepares each packet one cycle ahead, so up to 2 frames sealed under the previous
    // epoch (which alice never belonged to) may still follow the transition; every later one is heard.
    expect(afterTransition.slice(2).filter((t) => !aliceStamps.has(t))).toEqual([]);
    expect(alice.audio.at(-1)!.timestamp).toBe(bob.audio.at(-1)!.timestamp);
    expect(maxRtpGapMs(alice.audio)).toBeLessThanOrEqual(100);
    expect(alice.decrypted).toBeGreaterThan(20);
    figures('member joins mid-utterance', { expectedFrames: frames(TEXT), bob, alice, transition: joined, botId });
  });

  it('a member leaving mid-utterance (Remove, new epoch): the other hears all of it without a gap', async () => {
    const bobBefore = countsOf(listener('bob'));
    const epochs = dave().transitions.length;
    world.discord.clearAudio(g.id);
    const spoken = spokenCount();
    await command('say', 'bob', { text: TEXT }).reply();
    await world.discord.waitForAudio(g.id, { minMs: 1_000 });
    move('alice', null);
    await untilSpoken(spoken);
    const left = dave()
      .transitions.slice(epochs)
      .find((t) => t.removed.includes(id('alice')));
    expect(left).toBeDefined();
    const bob = heardSince(listener('bob'), bobBefore);
    expect(Math.abs(bob.audio.length - frames(TEXT))).toBeLessThanOrEqual(2);
    expect(maxRtpGapMs(bob.audio)).toBeLessThanOrEqual(100);
    expect(bob.failed).toBe(0);
    expect(bob.decrypted).toBeGreaterThanOrEqual(bob.audio.length - 2);
    figures('member leaves mid-utterance', { expectedFrames: frames(TEXT), bob, transition: left });
  });

  it('a 20 s utterance spanning three transitions arrives whole (within 1 frame per transition)', {
    timeout: 60_000,
  }, async () => {
    const line = 'Across the grey water the gulls are calling and the lanterns swing in the evening wind ';
    const long = `${line.repeat(6).trim()}.`;
    const bobBefore = countsOf(listener('bob'));
    const epochs = dave().transitions.length;
    world.discord.clearAudio(g.id);
    const spoken = spokenCount();
    await command('say', 'bob', { text: long }).reply();
    for (const [atMs, who, where] of [
      [3_000, 'carol', 'Lounge'],
      [8_000, 'alice', 'Lounge'],
      [13_000, 'carol', null],
    ] as const) {
      await world.discord.waitForAudio(g.id, { minMs: atMs, timeoutMs: 30_000 });
      move(who, where);
    }
    await untilSpoken(spoken);
    const during = dave().transitions.slice(epochs);
    const bob = heardSince(listener('bob'), bobBefore);
    figures('20 s across three transitions', {
      expectedFrames: frames(long),
      bob,
      transitions: during.map((t) => [t.id, t.at.toFixed(0), t.executedAt?.toFixed(0)]),
      errors: listener('bob').errors,
      sequenceGaps: sequenceGaps(listener('bob').packets.slice(bobBefore.packets)),
      rtpGapMs: maxRtpGapMs(bob.audio),
    });
    expect(during.length).toBeGreaterThanOrEqual(3);
    expect(frames(long)).toBeGreaterThanOrEqual(1_000);
    expect(Math.abs(bob.audio.length - frames(long))).toBeLessThanOrEqual(during.length);
    expect(maxRtpGapMs(bob.audio)).toBeLessThanOrEqual(100);
    expect(bob.failed).toBeLessThanOrEqual(during.length);
  });
});

describe('DAVE: the first epoch and recovery', () => {
  it('handles transition id 0 for a new group, and recovers through op 31 from a bad commit', async () => {
    await command('leave', 'bob').reply();
    await world.discord.waitForVoice(g.id, (v) => !v.connected);
    world.discord.setDaveOptions({ firstTransitionZero: true });
    if (listener('bob') === undefined || !world.discord.voice(g.id).listeners.includes(listener('bob')))
      move('bob', 'Lounge');
    world.discord.injectDaveFault(g.id, { userId: botId, kind: 'corrupt' });
    await command('join', 'bob', { channel: g.channels.Lounge! }).reply();
    await eventually(() => dave()?.invalid.some((i) => i.userId === botId), 10_000, 'op 31 from the bot');
    const invalidAt = dave().invalid.find((i) => i.userId === botId)!.at;
    await eventually(
      () => dave().transitions.some((t) => t.at > invalidAt && (t.added.includes(botId) || t.committer === botId)),
      10_000,
      'the bot re-added',
    );
    expect(dave().transitions[0]!.id).toBe(0);
    await eventually(() => listener('bob')?.inGroup, 10_000, 'bob in the group');
    const bobBefore = countsOf(listener('bob'));
    world.discord.clearAudio(g.id);
    const spoken = spokenCount();
    await command('say', 'bob', { text: TEXT }).reply();
    await untilSpoken(spoken);
    const bob = heardSince(listener('bob'), bobBefore);
    expect(Math.abs(bob.audio.length - frames(TEXT))).toBeLessThanOrEqual(2);
    expect(bob.failed).toBe(0);
    expect(bob.decrypted).toBeGreaterThanOrEqual(bob.audio.length - 2);
    figures('transition 0 + op 31', {
      expectedFrames: frames(TEXT),
      bob,
      dave: { transitions: dave().transitions.map((t) => t.id), invalid: dave().invalid },
    });
    world.discord.setDaveOptions({ firstTransitionZero: false });
  });
});
