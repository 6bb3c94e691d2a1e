/**
 * End to end: `/say` and the queue through the real bot (`npm start`), heard by the loopback Discord —
 * the decoded audio is compared with what the DashScope emulator synthesized for that text and voice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import { goertzelPower, leftChannel } from '../emulators/discord/analysis.ts';
import {
  type AddedGuild,
  type CapturedAudio,
  dominantFrequency,
  maxRtpGapMs,
  Perm,
  rms,
  type VoicePacket,
} from '../emulators/discord/server.ts';
import { type BotWorld, buttonId, eventually, standardGuild, startWorld } from './harness.ts';

let world: BotWorld;
let g: AddedGuild;
let voiceId: string;

const LONG = 'The tide is turning, friends, and the old ship is ready to sail across the bay.'; // ≈ 3.8 s
const BYTES_PER_MS = 192; // 48 kHz stereo s16le

/** The tone in the first 400 ms of some audio, to the emulator's 25 Hz grid. */
const toneOf = (pcm: Buffer): number =>
  dominantFrequency(pcm.subarray(0, 400 * BYTES_PER_MS), { minHz: 280, maxHz: 3_020, stepHz: 5 });
const pcmOf = (packets: readonly VoicePacket[]): Buffer =>
  Buffer.concat(packets.filter((p) => !p.silence).map((p) => p.pcm));
/**
 * Sorts audio packets into those of text `a` and those of text `b`, by which tone dominates each 20 ms.
 * @remarks Near-silent packets (the padded tail of a final frame) carry neither tone and are left out.
 */
function splitByTone(packets: readonly VoicePacket[], a: string, b: string): [VoicePacket[], VoicePacket[]] {
  const [fa, fb] = [expectedTone(a, voiceId).frequencyHz, expectedTone(b, voiceId).frequencyHz];
  const isA = (p: VoicePacket): boolean =>
    goertzelPower(leftChannel(p.pcm), fa) > goertzelPower(leftChannel(p.pcm), fb);
  // the tones play at 0.5 of full scale (rms ≈ 0.35)
  const audible = packets.filter((p) => !p.silence && rms(p.pcm) > 0.05);
  return [audible.filter(isA), audible.filter((p) => !isA(p))];
}
/** `base`, reworded until its tone is at least 300 Hz from `other`'s, so 20 ms packets can be told apart. */
function distinctFrom(other: string, base: string): string {
  const avoid = expectedTone(other, voiceId).frequencyHz;
  for (let i = 0; ; i++) {
    const text = i === 0 ? base : `${base.replace(/\.$/, '')} ${'again '.repeat(i).trim()}.`;
    if (Math.abs(expectedTone(text, voiceId).frequencyHz - avoid) >= 300) return text;
  }
}
const command = (name: string, userId = 'alice', options: Record<string, string> = {}) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members[userId]!,
    name,
    options,
  });
const untilQuiet = (): Promise<CapturedAudio> =>
  world.discord.waitForAudio(g.id, { untilIdle: true, timeoutMs: 20_000 });
/**
 * Waits until `next` (told apart from `before` by its tone) has been heard to within a packet of its length, then
 * for quiet. After a cut the bot signals it stopped speaking before the next line starts, so quiet alone may come
 * too early.
 */
async function untilHeard(before: string, next: string): Promise<void> {
  const wanted = expectedTone(next, voiceId).durationMs - 20;
  await expect
    .poll(() => splitByTone(world.discord.voice(g.id).packets, before, next)[1].length * 20, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(wanted);
  await untilQuiet();
}

beforeAll(async () => {
  const started = await startWorld(
    [
      standardGuild('Harbour', {
        channels: [
          { type: 'text', name: 'general' },
          { type: 'voice', name: 'Lounge' },
          { type: 'voice', name: 'Locked', permissionOverwrites: [{ id: '@everyone', deny: Perm.Connect }] },
        ],
      }),
    ],
    { IDLE_LEAVE_SECONDS: '5', DESIGN_COOLDOWN_SECONDS: '60' },
  );
  world = started;
  g = started.guilds[0]!;
  const designed = await world.discord
    .slashCommand({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members.alice!,
      name: 'voice',
      subcommand: 'design',
      options: { name: 'Captain', description: 'A gravelly old sea captain.' },
    })
    .reply(15_000);
  await world.discord
    .clickButton({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members.alice!,
      messageId: designed.id,
      customId: buttonId(designed, 'Keep'),
    })
    .reply();
  voiceId = [...world.dashscope.voices.keys()][0]!;
  await world.discord
    .slashCommand({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members.alice!,
      name: 'voice',
      subcommand: 'use',
      options: { name: 'Captain' },
    })
    .reply();
}, 90_000);
afterAll(() => world?.close(), 30_000);
beforeEach(() => {
  world.dashscope.faults.realtime.errorAfterDeltas = null;
  world.discord.clearAudio(g.id);
});

describe('/say', () => {
  it('joins the member’s channel and plays exactly what DashScope synthesized, without gaps', async () => {
    const text = 'Ahoy there, friends.';
    // The call becomes end-to-end encrypted first: the MLS handshake runs in the emulator's process and would
    // otherwise delay the reading of the first datagrams on a loaded machine, which the 40 ms check measures.
    await command('join').reply();
    await eventually(
      () => world.discord.listener(g.id, g.members.alice!)?.inGroup,
      10_000,
      'alice in the MLS group with the bot',
    );
    const say = command('say', 'alice', { text });
    expect((await say.reply()).content).toBe('Speaking as **Captain**.');
    const audio = await untilQuiet();
    const tone = expectedTone(text, voiceId);
    expect(world.discord.voice(g.id).channelId).toBe(g.channels.Lounge);
    expect(toneOf(audio.pcm)).toBeCloseTo(tone.frequencyHz, -1);
    expect(Math.abs(audio.durationMs - tone.durationMs)).toBeLessThanOrEqual(40);
    // No stall (the player would fill it with silence frames) and no frame lost, in RTP time: wall-clock
    // arrival gaps measure this loaded test machine as much as the bot.
    expect(world.discord.audioSegments(g.id, Infinity)).toHaveLength(1);
    expect(maxRtpGapMs(world.discord.voice(g.id).packets)).toBe(0);
    expect(world.discord.voice(g.id).daveVersionOffered).toBe(1); // DAVE stays on in the production configuration
    const alice = world.discord.listener(g.id, g.members.alice!)!; // heard end-to-end encrypted, decrypted by alice
    expect(world.discord.voice(g.id).daveVersion).toBe(1);
    expect(alice.decrypted).toBeGreaterThanOrEqual(audio.frames - 3);
    expect(alice.failed).toBe(0);
    expect(world.logs.some((l) => l.includes('"msg":"voice dependencies"') && l.includes('davey'))).toBe(true);
  });

  it('pauses through a stall (DashScope slower than real time) and plays every bit once it comes', async () => {
    world.dashscope.ctx.options.realtime.realTimeFactor = 1.6;
    try {
      const text = 'Slowly, slowly, the fog rolls in.';
      await command('say', 'alice', { text }).reply();
      const tone = expectedTone(text, voiceId);
      await world.discord.waitForAudio(g.id, { minMs: tone.durationMs - 20, timeoutMs: 20_000 }); // through the pauses
      const audio = await untilQuiet();
      expect(Math.abs(audio.durationMs - tone.durationMs)).toBeLessThanOrEqual(40);
      // it did stall: silence inside
      expect(world.discord.audioSegments(g.id, Number.POSITIVE_INFINITY).length).toBeGreaterThan(1);
      expect(
        world.discord.channelMessages(g.channels.general!).filter((m) => m.content.startsWith('Could not say')),
      ).toEqual([]);
    } finally {
      world.dashscope.ctx.options.realtime.realTimeFactor = 0.5;
    }
  });

  it('/skip stops the current utterance at once and the next one plays', async () => {
    const nextLine = distinctFrom(LONG, 'And now the next line.');
    // One after the other, as people type: two commands in flight at once may be queued either way round.
    await command('say', 'alice', { text: LONG }).reply();
    await command('say', 'alice', { text: nextLine }).reply();
    await world.discord.waitForAudio(g.id, { minMs: 600, timeoutMs: 10_000 });
    const skip = command('skip');
    expect((await skip.reply()).content).toBe('Skipped.');
    await untilHeard(LONG, nextLine);
    const first = expectedTone(LONG, voiceId);
    const next = expectedTone(nextLine, voiceId);
    const [firstPackets, nextPackets] = splitByTone(world.discord.voice(g.id).packets, LONG, nextLine);
    // gateway → bot → player, within 100 ms of the bot's skip
    expect(firstPackets.at(-1)!.receivedAt - skip.dispatchedAt).toBeLessThan(150);
    expect(firstPackets.length * 20).toBeLessThan(first.durationMs / 2);
    expect(Math.abs(nextPackets.length * 20 - next.durationMs)).toBeLessThanOrEqual(40);
    expect(nextPackets[0]!.receivedAt).toBeGreaterThan(firstPackets.at(-1)!.receivedAt);
  });

  it('/stop clears the queue', async () => {
    for (const text of [LONG, 'Second.', 'Third.']) await command('say', 'alice', { text }).reply();
    await world.discord.waitForAudio(g.id, { minMs: 300, timeoutMs: 10_000 });
    const stop = command('stop');
    expect((await stop.reply()).content).toBe('Stopped; cleared 3 utterances.');
    await untilQuiet();
    const after = pcmOf(world.discord.voice(g.id).packets.filter((p) => p.receivedAt > stop.dispatchedAt + 150));
    expect(after.length).toBe(0);
    // The cut ends like any break in the audio, as Discord asks: five silence frames, then "not speaking".
    const { packets, speaking } = world.discord.voice(g.id);
    const silenceAfterCut = (): number => packets.length - 1 - packets.findLastIndex((p) => !p.silence);
    await eventually(() => speaking.at(-1)?.speaking === 0 && silenceAfterCut() >= 5, 5_000, 'the closing silence');
    expect(silenceAfterCut()).toBe(5);
  });

  it('uses the server default voice for a member without one, and says how to get one when there is none', async () => {
    world.discord.setVoiceState(g.id, g.members.bob!, g.channels.Lounge!); // only members in the call may /say
    expect((await command('say', 'bob', { text: 'Hello.' }).reply()).content).toMatch(
      /You have no voice yet. Design one with \/voice design/,
    );
    await world.discord
      .slashCommand({
        guildId: g.id,
        channelId: g.channels.general!,
        userId: g.members.ada!,
        name: 'voice',
        subcommand: 'default',
        options: { name: 'Captain' },
      })
      .reply();
    expect((await command('say', 'bob', { text: 'Hello.' }).reply()).content).toBe('Speaking as **Captain**.');
    await untilQuiet();
    world.discord.setVoiceState(g.id, g.members.bob!, null);
  });
});

describe('clear replies, and the queue goes on', () => {
  it('names the permissions the bot lacks in a channel', async () => {
    const join = command('join', 'alice', { channel: g.channels.Locked! });
    const reply = await join.reply();
    expect(reply.content).toMatch(/missing the Connect permission/);
    expect(join.ephemeral()).toBe(true);
  });

  it('makes a member wait out the design cooldown, without a paid call; others are not held up', async () => {
    const creates = () => world.dashscope.requests.filter((r) => r.action === 'create').length;
    const before = creates();
    const design = (userId: string, name: string) =>
      world.discord
        .slashCommand({
          guildId: g.id,
          channelId: g.channels.general!,
          userId: g.members[userId]!,
          name: 'voice',
          subcommand: 'design',
          options: { name, description: 'Another voice, bright and quick.' },
        })
        .reply(15_000);
    expect((await design('alice', 'Second Mate')).content).toMatch(
      /You designed a voice a moment ago; try again in \d+ s/,
    );
    expect(creates()).toBe(before);
    expect((await design('bob', 'Deckhand')).content).toMatch(/Designed \*\*Deckhand\*\*/);
    expect(creates()).toBe(before + 1);
  });

  it('refuses an unknown voice and over-long text with a specific message', async () => {
    expect((await command('say', 'alice', { text: 'hi', voice: 'Nobody' }).reply()).content).toMatch(
      /no voice called "Nobody"/,
    );
    expect((await command('say', 'alice', { text: 'x'.repeat(1001) }).reply()).content).toMatch(/at most 1000/);
  });

  it('reports a DashScope failure mid-utterance once in the channel and plays the next one', async () => {
    const breaking = 'This line breaks halfway through.';
    const playing = distinctFrom(breaking, 'This line plays.');
    world.dashscope.faults.realtime.errorAfterDeltas = 3;
    await command('say', 'alice', { text: breaking }).reply();
    await command('say', 'alice', { text: playing }).reply();
    const notice = await world.discord.waitForChannelMessage(
      g.channels.general!,
      (m) => m.content.startsWith('Could not say that'),
      15_000,
    );
    expect(notice.content).toMatch(/as \*\*Captain\*\*: .*InternalError/);
    expect(notice.allowedMentions).toEqual({ parse: [] });
    await untilHeard(breaking, playing);
    const [broken, played] = splitByTone(world.discord.voice(g.id).packets, breaking, playing);
    expect(broken.length * 20).toBeLessThan(expectedTone(breaking, voiceId).durationMs);
    expect(Math.abs(played.length * 20 - expectedTone(playing, voiceId).durationMs)).toBeLessThanOrEqual(40);
    expect(
      world.discord.channelMessages(g.channels.general!).filter((m) => m.content.startsWith('Could not say that')),
    ).toHaveLength(1);
  });
});

describe('leaving', () => {
  it('leaves when the last member leaves the channel', async () => {
    await command('join').reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected);
    world.discord.setVoiceState(g.id, g.members.alice!, null);
    await world.discord.waitForVoice(g.id, (v) => v.channelId === null, 5_000);
    world.discord.setVoiceState(g.id, g.members.alice!, g.channels.Lounge!);
  });

  it('forgets a moderator’s disconnect at once, and /say joins again', async () => {
    await command('join').reply();
    await world.discord.waitForVoice(g.id, (v) => v.connected);
    const leaves = (): number => world.logs.filter((l) => l.includes('"msg":"left voice"')).length;
    const before = leaves();
    world.discord.disconnectVoice(g.id);
    await eventually(() => leaves() > before, 5_000, 'the bot to forget the channel');
    const text = 'Back again.';
    expect((await command('say', 'alice', { text }).reply()).content).toBe('Speaking as **Captain**.');
    const audio = await world.discord.waitForAudio(g.id, { untilIdle: true, timeoutMs: 15_000 });
    expect(toneOf(audio.pcm)).toBeCloseTo(expectedTone(text, voiceId).frequencyHz, -1);
    expect(world.discord.voice(g.id).channelId).toBe(g.channels.Lounge);
  });

  it('leaves after the idle time with nothing to say', async () => {
    await command('say', 'alice', { text: 'Goodbye for now.' }).reply();
    await untilQuiet();
    const quietAt = performance.now();
    await world.discord.waitForVoice(g.id, (v) => v.channelId === null, 9_000);
    const waited = performance.now() - quietAt;
    expect(waited).toBeGreaterThan(4_000);
    await eventually(() => world.logs.some((l) => l.includes('"msg":"left voice"')), 2_000, 'the leave log');
  });
});
