/**
 * End to end: what a member can make the bot spend. Text goes to DashScope a sentence or two ahead of playback,
 * so /skip, /stop and a leave stop the spend; a member's characters per minute and share of the queue are capped.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { type BotWorld, designVoice, standardGuild, startWorld } from './harness.ts';

let world: BotWorld;
let g: AddedGuild;

/** 1,000 characters in whole sentences, as a member might paste. */
const THOUSAND = (() => {
  const sentences = ['The ship sails at dawn across the bay.', 'Gulls cry over the harbour wall.'];
  let text = '';
  for (let i = 0; ; i++) {
    const next = `${text}${text === '' ? '' : ' '}${sentences[i % 2]}`;
    if (next.length > 1_000) return text.padEnd(1_000, '.');
    text = next;
  }
})();

const command = (name: string, userId = 'alice', options: Record<string, string> = {}) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members[userId]!,
    name,
    options,
  });
/** Characters the bot has sent DashScope for synthesis since request number `mark`. */
const sentSince = (mark: number): number =>
  world.dashscope.requests
    .slice(mark)
    .filter((r) => r.action === 'input_text_buffer.append')
    .reduce((sum, r) => sum + [...(r.body as { text: string }).text].length, 0);
const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  const started = await startWorld([standardGuild('Harbour')], { SAY_CHARS_PER_MINUTE: '100000' });
  world = started;
  g = started.guilds[0]!;
  await designVoice(world, g, 'Captain');
  await command('voice', 'alice', {})
    .reply()
    .catch(() => undefined);
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
beforeEach(() => world.discord.clearAudio(g.id));

describe('pay only for what is spoken', () => {
  it('/say of 1,000 characters skipped after 1 s of audio sends at most 250 characters', async () => {
    expect([...THOUSAND].length).toBe(1_000);
    const mark = world.dashscope.requests.length;
    await command('say', 'alice', { text: THOUSAND }).reply();
    await world.discord.waitForAudio(g.id, { minMs: 1_000, timeoutMs: 15_000 });
    expect((await command('skip').reply()).content).toBe('Skipped.');
    await settle(1_500);
    const sent = sentSince(mark);
    console.log(`[figure] /say 1000 chars, /skip after 1 s of audio: ${sent} characters sent`);
    expect(sent).toBeLessThanOrEqual(250);
  });
});
