import { afterEach, expect, it } from 'vitest';
import { GuildPlayer } from '../../src/playback/guildPlayer.ts';
import type { Utterance } from '../../src/playback/utterance.ts';
import { createTtsEngine, type RoutingTtsEngine } from '../../src/tts/engines.ts';
import type { CharacterVoice } from '../../src/voices/characterVoice.ts';
import { useDashScopeEmulator } from '../emulators/dashscope/fixture.ts';
import type { DashScopeEmulator } from '../emulators/dashscope/server.ts';
import { addVoice, RT_MODEL } from '../tts/helpers.ts';
import { RecordingSink } from './recordingSink.ts';

/**
 * Sessions outlive their utterance: counted at the emulator (sockets accepted), through a real GuildPlayer,
 * the realtime engine and a sink that encodes and plays at Discord's pace.
 */
let emu: DashScopeEmulator;
let engine: RoutingTtsEngine | undefined;
useDashScopeEmulator((started) => (emu = started), { realTimeFactor: 0.1, chunkMs: 100 });
afterEach(async () => {
  await engine?.close();
});

const LONG = 'The tide is turning and the old ship is ready.'; // ≈ 2.3 s of tone
let ids = 0;
const say = (voice: CharacterVoice, text = LONG): Utterance => ({
  id: `u${ids++}`,
  guildId: 'g1',
  text,
  voice,
  requestedBy: 'user',
  source: 'narration',
  reportChannelId: 't1',
});

function setUp(warmIdleMs: number): { player: GuildPlayer; errors: unknown[] } {
  engine = createTtsEngine({ apiKey: emu.apiKey, baseUrl: emu.baseUrl, realtimeUrl: emu.realtimeUrl, warmIdleMs });
  const errors: unknown[] = [];
  const player = new GuildPlayer({
    engine,
    sink: new RecordingSink(),
    maxQueue: 10,
    onIdle: () => {},
    onError: (_u, error) => errors.push(error),
  });
  return { player, errors };
}

const quiet = async (player: GuildPlayer): Promise<void> => {
  const end = Date.now() + 30_000;
  while (player.pending.length > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
};
const sessions = (): number => emu.ctx.stats.realtimeSessions;

it('starts the idle window when playback ends, not when the audio has arrived', async () => {
  // The audio arrives 10× faster than it plays: it is all there after ~0.25 s, playback ends after ~2.3 s.
  const { player, errors } = setUp(1_500);
  const voice = addVoice(emu, 'captain', RT_MODEL);
  player.enqueue(say(voice));
  await quiet(player);
  player.enqueue(say(voice, 'And here we go again.'));
  await quiet(player);
  expect(errors).toEqual([]);
  expect(sessions()).toBe(1);
  expect(engine?.realtime.stats.warmUtterances).toBe(1);
});

it('pre-warms the next queued voice while one plays, and long utterances in a row reuse a session', async () => {
  const { player, errors } = setUp(5_000);
  const captain = addVoice(emu, 'captain', RT_MODEL);
  const mate = addVoice(emu, 'mate', RT_MODEL);
  for (const utterance of [say(captain), say(captain), say(mate)]) player.enqueue(utterance);
  await quiet(player);
  expect(errors).toEqual([]);
  expect(engine?.realtime.stats).toMatchObject({ prewarmed: 1, utterances: 3 });
  // The next long utterance finds a session kept open past the last one's playback.
  const before = sessions();
  player.enqueue(say(captain));
  await quiet(player);
  expect(sessions()).toBe(before);
  expect(errors).toEqual([]);
});

it('keeps a narrated chat with pauses on one session', async () => {
  const { player, errors } = setUp(5_000);
  const voice = addVoice(emu, 'captain', RT_MODEL);
  for (const line of ['Anyone there?', 'The fog is rolling in.', 'Tea is ready.', 'Goodnight, all.']) {
    player.enqueue(say(voice, line));
    await quiet(player);
    await new Promise((r) => setTimeout(r, 300)); // a pause in the chat
  }
  expect(errors).toEqual([]);
  expect(sessions()).toBe(1);
});

it('recovers when the server closed an idle session first (its timeout is configurable in the emulator)', async () => {
  Object.assign(emu.ctx.options.realtime, { sessionIdleTimeoutMs: 200 });
  const { player, errors } = setUp(10_000);
  const voice = addVoice(emu, 'captain', RT_MODEL);
  player.enqueue(say(voice, 'First line.'));
  await quiet(player);
  const end = Date.now() + 10_000;
  while ((engine?.realtime.stats.sessionsOpen ?? 0) > 0 && Date.now() < end)
    await new Promise((r) => setTimeout(r, 20));
  expect(engine?.realtime.stats.sessionsOpen).toBe(0); // the server closed it, not the bot's window
  player.enqueue(say(voice, 'Second line.'));
  await quiet(player);
  expect(errors).toEqual([]);
  expect(sessions()).toBe(2);
});
