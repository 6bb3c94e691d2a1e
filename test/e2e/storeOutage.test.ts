/**
 * End to end: the real bot (`npm start`) on a redis-server of the test's own, which is killed while the bot is
 * speaking and started again. What was queued keeps playing; commands that need the store are answered
 * "storage unavailable" in time (the loopback Discord refuses an answer after 3 s, as Discord does); once
 * Redis is back the bot works again without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_UNAVAILABLE_REPLY } from '../../src/voices/storeFault.ts';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { OwnRedis } from '../setup/ownRedis.ts';
import { holdSqliteLock } from '../setup/sqliteLock.ts';
import { type BotWorld, designVoice, standardGuild, startWorld, waitForLog } from './harness.ts';

let redis: OwnRedis;
let world: BotWorld;
let g: AddedGuild;
let voiceId: string;

const FIRST = 'The tide is turning, friends, and the old ship is ready to sail across the bay.'; // ≈ 3.8 s
const SECOND = 'Hoist the sails.';

const command = (name: string, options: Record<string, string> = {}, subcommand?: string) =>
  world.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members.alice!,
    name,
    ...(subcommand === undefined ? {} : { subcommand }),
    options,
  });

describe('Redis goes away and comes back', () => {
  beforeAll(async () => {
    redis = await OwnRedis.start();
    const started = await startWorld([standardGuild('Harbour')], { STORE_URL: redis.url, STORE_TIMEOUT_MS: '1000' });
    world = started;
    g = started.guilds[0]!;
    voiceId = await designVoice(world, g, 'Captain');
    await command('voice', { name: 'Captain' }, 'use').reply();
  }, 90_000);
  afterAll(async () => {
    await world?.close();
    await redis?.close();
  }, 30_000);

  it('plays what was queued, answers "storage unavailable" within 3 s, and recovers by itself', async () => {
    expect((await command('say', { text: FIRST }).reply()).content).toBe('Speaking as **Captain**.');
    expect((await command('say', { text: SECOND }).reply()).content).toBe('Queued as **Captain** (1 ahead).');
    await world.discord.waitForAudio(g.id, { timeoutMs: 15_000 });
    await redis.kill();

    const listed = await command('voice', {}, 'list').reply();
    expect(listed.content).toBe(STORE_UNAVAILABLE_REPLY);
    const said = await command('say', { text: 'Anyone there?' }).reply();
    expect(said.content).toBe(STORE_UNAVAILABLE_REPLY);
    await waitForLog(world.logs, /interaction refused: storage unavailable/);

    const expectedMs = expectedTone(FIRST, voiceId).durationMs + expectedTone(SECOND, voiceId).durationMs;
    const audio = await world.discord.waitForAudio(g.id, {
      minMs: expectedMs - 80,
      untilIdle: true,
      timeoutMs: 20_000,
    });
    expect(Math.abs(audio.durationMs - expectedMs)).toBeLessThanOrEqual(80);

    await redis.restart();
    const end = Date.now() + 20_000;
    let content = '';
    while (!content.includes('Captain') && Date.now() < end) {
      content = (await command('voice', {}, 'list').reply()).content;
      if (!content.includes('Captain')) await new Promise((r) => setTimeout(r, 250));
    }
    expect(content).toMatch(/Captain/);
    expect((await command('say', { text: 'Back again.' }).reply()).content).toBe('Speaking as **Captain**.');
    expect(world.logs.join('\n')).not.toMatch(/interaction failed/);
  });
});

describe('a SQLite store another process keeps locked', () => {
  let sqliteWorld: BotWorld;
  let h: AddedGuild;
  beforeAll(async () => {
    const started = await startWorld([standardGuild('Citadel')], { STORE_TIMEOUT_MS: '1000' });
    sqliteWorld = started;
    h = started.guilds[0]!;
  }, 60_000);
  afterAll(() => sqliteWorld?.close(), 30_000);

  it('answers "storage unavailable" within 3 s while the file is locked, and works once it is free', async () => {
    const list = () =>
      sqliteWorld.discord
        .slashCommand({
          guildId: h.id,
          channelId: h.channels.general!,
          userId: h.members.alice!,
          name: 'voice',
          subcommand: 'list',
        })
        .reply();
    const lock = await holdSqliteLock(sqliteWorld.env.STORE_URL!.slice('sqlite://'.length));
    try {
      expect((await list()).content).toBe(STORE_UNAVAILABLE_REPLY);
    } finally {
      await lock.release();
    }
    expect((await list()).content).not.toBe(STORE_UNAVAILABLE_REPLY);
  });
});
