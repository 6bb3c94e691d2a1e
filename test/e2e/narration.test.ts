/**
 * End to end: narrated chat through the real bot (`npm start`), heard by the loopback Discord. Each
 * message's audio is the DashScope emulator's tone for the exact text the bot sent, so the expected
 * text is computed with the narration modules (cleaning, character lines, names) and compared by ear.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Author, phraseNarration } from '../../src/narration/nameAnnouncer.ts';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import { goertzelPower, leftChannel } from '../emulators/discord/analysis.ts';
import { type AddedGuild, rms } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, eventually, standardGuild, startWorld } from './harness.ts';
import { distinctFrom, expectUtterance, listener, NarrationMirror } from './narration.helpers.ts';

let world: BotWorld;
let g: AddedGuild;
let captain: string;
let mate: string;
let hear: ReturnType<typeof listener>['hear'];
let synthesized: ReturnType<typeof listener>['synthesized'];

const MATE_HOOK = { id: '1300000000000000001', username: 'Mate' };
const NOTICE = /^\d+ messages? skipped$/;

/** What the bot says, computed with the narration modules; every message it reads goes through `spoken`. */
const mirror = new NarrationMirror(['Captain', 'Mate']);
const spoken = (channel: string, author: Author, content: string): string[] =>
  mirror.spoken(g.channels[channel]!, author, content);
const alice = (): Author => ({ id: g.members.alice!, name: 'alice' });

const command = (
  userId: string,
  name: string,
  subcommand: string,
  options: Record<string, string | number | boolean> = {},
) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members[userId]!,
    name,
    subcommand,
    options,
  });
const post = (userId: string, content: string, channel = 'general') =>
  world.discord.sendMessage({ guildId: g.id, channelId: g.channels[channel]!, authorId: g.members[userId]!, content });

beforeAll(async () => {
  const guild = standardGuild('Harbour', {
    channels: [
      { type: 'text', name: 'general' },
      { type: 'text', name: 'deck' },
      { type: 'text', name: 'random' },
      { type: 'voice', name: 'Lounge' },
    ],
  });
  guild.members.push({ username: 'robo', bot: true });
  const started = await startWorld([guild]);
  world = started;
  g = started.guilds[0]!;
  ({ hear, synthesized } = listener(world, g.id));
  captain = await designVoice(world, g, 'Captain');
  mate = await designVoice(world, g, 'Mate');
  await command('alice', 'voice', 'use', { name: 'Captain' }).reply();
  await world.discord
    .slashCommand({ guildId: g.id, channelId: g.channels.general!, userId: g.members.alice!, name: 'join' })
    .reply();
  await world.discord.waitForVoice(g.id, (v) => v.connected);
}, 90_000);
afterAll(() => world?.close(), 30_000);
beforeEach(() => world.discord.clearAudio(g.id));

describe('/narrate', () => {
  it('only Manage Server starts it; the channel is told, publicly, that it is read aloud', async () => {
    const refused = command('bob', 'narrate', 'start');
    expect((await refused.reply()).content).toMatch(/needs the Manage Server permission/);
    expect(refused.ephemeral()).toBe(true);
    const started = command('ada', 'narrate', 'start');
    const reply = await started.reply();
    expect(reply.content).toContain(`Reading <#${g.channels.general}> aloud in <#${g.channels.Lounge}>`);
    expect(reply.content).toMatch(/no server default voice/);
    expect(started.ephemeral()).toBe(false);
    expect(reply.allowedMentions).toEqual({ parse: [] });
    await command('ada', 'narrate', 'start', { channel: g.channels.deck! }).reply();
  });
});

describe('reading chat aloud', () => {
  it('reads a message cleaned, after the author’s name, and does not repeat the name within 30 s', async () => {
    const first = '**Ahoy** mates, the map is at https://example.com/map?x=1 ||not a spoiler||';
    const [named] = spoken('general', alice(), first);
    expect(named).toMatch(/^alice said: Ahoy mates, the map is at/);
    post('alice', first);
    expectUtterance(await hear([[named!, captain]]), named!, captain);

    world.discord.clearAudio(g.id);
    const [unnamed] = spoken('general', alice(), 'Hoist the sails!');
    expect(unnamed).toBe('Hoist the sails!');
    post('alice', 'Hoist the sails!');
    expectUtterance(await hear([[unnamed!, captain]]), unnamed!, captain);
  });

  it('speaks two characters of one message in order, each in its own voice', async () => {
    const captainLine = 'All hands on deck, and quickly now.';
    const mateLine = distinctFrom([captainLine, captain], 'Aye aye, the crew is ready.', mate);
    const texts = spoken('general', alice(), `[Captain] ${captainLine}\nMate: ${mateLine}`);
    expect(texts).toEqual([captainLine, mateLine]);
    post('alice', `[Captain] ${captainLine}\nMate: ${mateLine}`);
    await hear([
      [captainLine, captain],
      [mateLine, mate],
    ]);
    const [fc, fm] = [expectedTone(captainLine, captain).frequencyHz, expectedTone(mateLine, mate).frequencyHz];
    const audible = world.discord.voice(g.id).packets.filter((p) => !p.silence && rms(p.pcm) > 0.05);
    const isCaptain = (p: (typeof audible)[number]) =>
      goertzelPower(leftChannel(p.pcm), fc) > goertzelPower(leftChannel(p.pcm), fm);
    const [captainPackets, matePackets] = [audible.filter(isCaptain), audible.filter((p) => !isCaptain(p))];
    expect(Math.abs(captainPackets.length * 20 - expectedTone(captainLine, captain).durationMs)).toBeLessThanOrEqual(
      40,
    );
    expect(Math.abs(matePackets.length * 20 - expectedTone(mateLine, mate).durationMs)).toBeLessThanOrEqual(40);
    expect(matePackets[0]!.receivedAt).toBeGreaterThan(captainPackets.at(-1)!.receivedAt);
  });

  it('is silent for an unbound channel, members outside the voice channel, bots and other webhooks', async () => {
    post('alice', 'This channel is not read.', 'random');
    post('bob', 'I am not in the voice channel.');
    post('robo', 'Beep, I am a bot.');
    world.discord.sendMessage({
      guildId: g.id,
      channelId: g.channels.general!,
      content: 'News: the tide is high.',
      webhook: { username: 'Newsfeed' },
    });
    const [marker] = spoken('deck', alice(), 'Only this line is heard.');
    post('alice', 'Only this line is heard.', 'deck');
    expectUtterance(await hear([[marker!, captain]]), marker!, captain);
    await new Promise((r) => setTimeout(r, 300));
    expect(world.discord.audio(g.id).durationMs).toBeLessThanOrEqual(expectedTone(marker!, captain).durationMs + 40);
  });

  it('reads a roleplay webhook named after a voice of the server in that voice', async () => {
    const content = 'Land ho, off the starboard bow!';
    const [text] = spoken('general', { id: MATE_HOOK.id, name: 'Mate' }, content);
    expect(text).toBe(`Mate said: ${content}`);
    world.discord.sendMessage({ guildId: g.id, channelId: g.channels.general!, content, webhook: MATE_HOOK });
    expectUtterance(await hear([[text!, mate]]), text!, mate);
  });

  it('tells a member without a voice once how to get one, and does not read them', async () => {
    world.discord.setVoiceState(g.id, g.members.bob!, g.channels.Lounge!);
    post('bob', 'Hello, can anyone hear me?');
    const hint = await world.discord.waitForChannelMessage(g.channels.general!, (m) =>
      m.content.includes('/voice use'),
    );
    expect(hint.allowedMentions).toEqual({ parse: [] });
    post('bob', 'Hello again?');
    const [marker] = spoken('general', alice(), 'Welcome aboard, bob.');
    post('alice', 'Welcome aboard, bob.');
    expectUtterance(await hear([[marker!, captain]]), marker!, captain);
    expect(
      world.discord.channelMessages(g.channels.general!).filter((m) => m.content.includes('/voice use')),
    ).toHaveLength(1);
    world.discord.setVoiceState(g.id, g.members.bob!, null);
  });
});

describe('/dictionary', () => {
  it('lets Manage Server fix a pronunciation that every member then hears, lists and removes it', async () => {
    const refused = command('bob', 'dictionary', 'add', { word: 'brb', reading: 'be right back' });
    expect((await refused.reply()).content).toMatch(/needs the Manage Server permission/);
    const added = command('ada', 'dictionary', 'add', { word: 'brb', reading: 'be right back' });
    expect((await added.reply()).content).toBe('“brb” is now read as “be right back”.');
    expect(added.ephemeral()).toBe(true);
    expect((await command('bob', 'dictionary', 'list').reply()).content).toContain('• “brb” → “be right back”');
    mirror.dictionary = [{ word: 'brb', reading: 'be right back' }];

    const [text] = spoken('general', alice(), 'BRB, grabbing more coffee');
    expect(text).toContain('be right back, grabbing more coffee');
    post('alice', 'BRB, grabbing more coffee');
    expectUtterance(await hear([[text!, captain]]), text!, captain);

    const typed = world.discord.autocomplete({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members.ada!,
      name: 'dictionary',
      subcommand: 'remove',
      focused: { name: 'word', value: 'br' },
    });
    expect((await typed.choices()).map((c) => c.value)).toEqual(['brb']);
    expect((await command('ada', 'dictionary', 'remove', { word: 'BRB' }).reply()).content).toBe(
      'Removed “brb” (it was read as “be right back”).',
    );
    mirror.dictionary = [];
  });
});

describe('floods, edits and deletes', () => {
  it('reads a flood up to the queue bound, then says “N messages skipped” once', async () => {
    const mark = world.dashscope.requests.length;
    const expected: string[] = [];
    for (let i = 1; i <= 30; i++) {
      expected.push(...spoken('deck', alice(), `f${i}`));
      post('alice', `f${i}`, 'deck');
    }
    const notice = await eventually(() => synthesized(mark).find((t) => NOTICE.test(t)), 25_000, 'the skip notice');
    const skipped = Number(notice.split(' ')[0]);
    const lines = synthesized(mark).map((text): [string, string] => [text, captain]);
    await hear(lines);
    const read = synthesized(mark).filter((t) => !NOTICE.test(t));
    expect(synthesized(mark).filter((t) => NOTICE.test(t))).toEqual([notice]);
    expect(read.length + skipped).toBe(30);
    // 20 utterances fit (one speaking, 19 waiting); the notice takes the last place
    expect(skipped).toBeGreaterThanOrEqual(10);
    expect(read.filter((t) => !expected.includes(t))).toEqual([]); // read in order, as sent
    expect(read).toEqual(expected.filter((t) => read.includes(t)));
    // Utterances are told apart by the silence frames the player sends after each one, never by arrival
    // times: a loaded machine delays packets, so a gap in time may fall inside an utterance.
    const last = world.discord.audioSegments(g.id, Number.POSITIVE_INFINITY).at(-1)!;
    expectUtterance(last, notice, captain);
  }, 40_000);

  it('reads an edited message as edited, in its place, and drops a deleted one before it is read', async () => {
    const mark = world.dashscope.requests.length;
    const longLine = 'The tide is turning, friends, and the old ship is ready to sail across the bay.';
    const [long] = spoken('general', alice(), longLine);
    const [next] = spoken('general', alice(), 'Then the second line.');
    const [before] = spoken('general', alice(), 'A third line, before its edit.');
    const edited = phraseNarration(
      mirror.narration('A third line, after its edit.'),
      before!.startsWith('alice said: ') ? 'alice' : undefined,
    )[0]!.text; // named as it was
    spoken('general', alice(), 'A line that is deleted.');
    post('alice', longLine);
    post('alice', 'Then the second line.');
    const third = post('alice', 'A third line, before its edit.');
    const deleted = post('alice', 'A line that is deleted.');
    world.discord.editMessage({ messageId: third.id, content: 'A third line, after its edit.' });
    world.discord.deleteMessage(deleted.id);
    await eventually(() => synthesized(mark).includes(edited), 20_000, 'the edited line');
    await hear([
      [long!, captain],
      [next!, captain],
      [edited, captain],
    ]);
    expect(synthesized(mark)).toEqual([long, next, edited]);
    expectUtterance(world.discord.audioSegments(g.id, Number.POSITIVE_INFINITY).at(-1)!, edited, captain);
  }, 30_000);
});

describe('settings, restarts and auto-join', () => {
  it('/narrate stop ends reading a channel', async () => {
    const stopped = command('ada', 'narrate', 'stop', { channel: g.channels.deck! });
    expect((await stopped.reply()).content).toBe(`Stopped reading <#${g.channels.deck}> aloud.`);
    expect(stopped.ephemeral()).toBe(false);
    post('alice', 'Nobody reads the deck now.', 'deck');
    const [marker] = spoken('general', alice(), 'But general is still read.');
    post('alice', 'But general is still read.');
    expectUtterance(await hear([[marker!, captain]]), marker!, captain);
  });

  it('shows settings after each change, keeps them across a restart, and auto-joins for a message', async () => {
    expect((await command('bob', 'narrate', 'settings', { read_bots: true }).reply()).content).toMatch(
      /needs the Manage Server permission/,
    );
    const changed = command('ada', 'narrate', 'settings', { read_names: false, max_chars: 40, auto_join: true });
    const reply = (await changed.reply()).content;
    expect(reply).toMatch(/Read names: off/);
    expect(reply).toMatch(/Max length: 40 characters/);
    expect(reply).toMatch(/Auto-join: on/);
    expect(changed.ephemeral()).toBe(true);
    Object.assign(mirror, { readNames: false, maxChars: 40 });

    await world.stopBot();
    await world.startBot();
    const shown = (await command('bob', 'narrate', 'settings').reply()).content;
    expect(shown).toContain(`Channels read: <#${g.channels.general}> → <#${g.channels.Lounge}>`);
    expect(shown).toMatch(
      /Read names: off\nMax length: 40 characters\nRead bots: off\nAuto-join: on\nCharacter lines: on/,
    );

    world.discord.clearAudio(g.id);
    const content = 'After the restart this message is longer than forty characters.';
    const [text] = spoken('general', alice(), content);
    expect(text).toBe('After the restart this message, and more'); // cut at 40 characters
    post('alice', content);
    expectUtterance(await hear([[text!, captain]]), text!, captain);
    expect(world.discord.voice(g.id).channelId).toBe(g.channels.Lounge);
  }, 40_000);

  it('auto-join: joins when a member enters the bound voice channel, leaves when it empties', async () => {
    world.discord.setVoiceState(g.id, g.members.alice!, null);
    await world.discord.waitForVoice(g.id, (v) => v.channelId === null, 5_000);
    world.discord.setVoiceState(g.id, g.members.alice!, g.channels.Lounge!);
    await world.discord.waitForVoice(g.id, (v) => v.channelId === g.channels.Lounge && v.connected, 10_000);
    const [text] = spoken('general', alice(), 'Back in the lounge.');
    post('alice', 'Back in the lounge.');
    expectUtterance(await hear([[text!, captain]]), text!, captain);
  });
});
