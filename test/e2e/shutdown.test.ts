/**
 * End to end: SIGTERM to a real bot process (`node src/main.ts`) mid-utterance — it takes no new work
 * ("restarting" reply), finishes what is being said and what is queued, leaves voice, closes every
 * DashScope session with `session.finish`, flushes its store writes, and exits 0.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { billableChars } from '../../src/dashscope/billing.ts';
import { RESTARTING_REPLY } from '../../src/lifecycle/shutdown.ts';
import { runCli } from '../cli/run.ts';
import { expectedTone } from '../emulators/dashscope/audio.ts';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { designVoice, standardGuild, waitForLog } from './harness.ts';
import { type BotProcess, botProcess, type Emulators, startEmulators } from './processes.ts';

const LONG = 'The tide is turning, friends, and the old ship is ready to sail across the bay.';
const NEXT = 'Hoist the sails.';

let emu: Emulators;
let bot: BotProcess;
let g: AddedGuild;
let dir: string;

const command = (name: string, options: Record<string, string> = {}, subcommand?: string) =>
  emu.discord.slashCommand({
    guildId: g.id,
    channelId: g.channels.general!,
    userId: g.members.alice!,
    name,
    options,
    ...(subcommand ? { subcommand } : {}),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voicebot-shutdown-'));
  emu = await startEmulators({ STORE_URL: `sqlite://${join(dir, 'bot.sqlite')}` });
  g = emu.discord.addGuild(standardGuild('Harbour'));
  bot = botProcess(emu, 0, 1);
  await bot.start();
}, 90_000);
afterAll(async () => {
  await bot?.signal('SIGKILL');
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

it('SIGTERM: refuses new work, finishes what is in flight, leaves voice, finishes sessions, exits 0', async () => {
  const voiceId = await designVoice(emu, g, 'Captain');
  await command('voice', { name: 'Captain' }, 'use').reply();
  await command('say', { text: LONG }).reply();
  await command('say', { text: NEXT }).reply();
  await emu.discord.waitForAudio(g.id, { minMs: 300, timeoutMs: 15_000 });

  const mark = bot.logs.length;
  const exited = bot.signal('SIGTERM');
  await waitForLog(bot.logs, /"msg":"shutting down"/, 10_000, mark);
  const late = await command('say', { text: 'One more thing.' }).reply(10_000);
  expect(late.content).toBe(RESTARTING_REPLY);
  expect(await exited).toBe(0);

  const expected = expectedTone(LONG, voiceId).durationMs + expectedTone(NEXT, voiceId).durationMs;
  const heard = emu.discord.audio(g.id);
  expect(Math.abs(heard.durationMs - expected)).toBeLessThanOrEqual(200);
  expect(emu.discord.voice(g.id).requests.at(-1)?.channelId).toBeNull();
  const finishes = emu.dashscope.requests.filter((r) => r.action === 'session.finish').length;
  expect(emu.dashscope.ctx.stats.realtimeSessions).toBeGreaterThan(0);
  expect(finishes).toBe(emu.dashscope.ctx.stats.realtimeSessions);
  const stopped = bot.logs.slice(mark).find((l) => l.includes('"msg":"stopped"'));
  expect(JSON.parse(stopped ?? '{}')).toMatchObject({ unspoken: 0, leftVoice: true, designs: 0, unsaved: 0 });
  expect(bot.logs.slice(mark).filter((l) => l.includes('"msg":"spoken"'))).toHaveLength(2);

  const usage = await runCli(['usage', '--guild', g.id, '--json'], emu.env);
  const report = JSON.parse(usage.stdout) as { chars: number };
  expect(report.chars).toBe(billableChars(LONG) + billableChars(NEXT));
}, 120_000);
