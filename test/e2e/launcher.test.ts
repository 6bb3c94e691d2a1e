/**
 * End to end: `npm run shards` — discord.js's ShardingManager runs the bot as one process per shard, with
 * the count Discord recommends (`GET /gateway/bot`), restarts a shard process that dies, and on SIGTERM
 * stops every shard process gracefully and exits 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AddedGuild } from '../emulators/discord/server.ts';
import { snowflakeOnShard } from '../emulators/discord/shards.ts';
import { eventually, standardGuild, waitForLog } from './harness.ts';
import { type Emulators, shardGone, startEmulators } from './processes.ts';

const LAUNCHER = fileURLToPath(new URL('../../src/shards.ts', import.meta.url));

let emu: Emulators;
let launcher: ChildProcess;
let dir: string;
const logs: string[] = [];
const guilds: AddedGuild[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'voicebot-launcher-'));
  emu = await startEmulators({ STORE_URL: `sqlite://${join(dir, 'bot.sqlite')}` }, { recommendedShards: 2 });
  for (const shard of [0, 1])
    guilds.push(emu.discord.addGuild(standardGuild(`Guild ${shard}`, { id: snowflakeOnShard(shard, 2) })));
  launcher = spawn(process.execPath, [LAUNCHER], { env: { ...process.env, ...emu.env } });
  const collect = (d: Buffer): void => void logs.push(...d.toString().split('\n').filter(Boolean));
  launcher.stdout?.on('data', collect);
  launcher.stderr?.on('data', collect);
  await waitForLog(logs, /"msg":"every shard process is ready"/, 90_000);
}, 120_000);
afterAll(async () => {
  if (launcher?.exitCode === null) launcher.kill('SIGKILL');
  await emu?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 30_000);

const pidsOf = (shard: number): number[] =>
  logs
    .filter((l) => l.includes('"msg":"shard process started"') && l.includes(`"shard":${shard},`))
    .map((l) => (JSON.parse(l) as { pid: number }).pid);
const listVoices = (g: AddedGuild) =>
  emu.discord
    .slashCommand({
      guildId: g.id,
      channelId: g.channels.general!,
      userId: g.members.ada!,
      name: 'voice',
      subcommand: 'list',
    })
    .reply(15_000);

it('starts one process per recommended shard; each answers its own guild', async () => {
  expect(emu.discord.rest.calls.some((c) => c.path === '/gateway/bot')).toBe(true);
  expect(
    emu.discord.gateway
      .liveShards()
      .map(([id, count]) => `${id}/${count}`)
      .sort(),
  ).toEqual(['0/2', '1/2']);
  const [zero, one] = [pidsOf(0), pidsOf(1)];
  expect(zero).toHaveLength(1);
  expect(one).toHaveLength(1);
  expect(zero[0]).not.toBe(one[0]);
  for (const g of guilds)
    expect((await listVoices(g)).content).toBe('No voices yet. Design the first with /voice design.');
}, 60_000);

it('restarts a shard process that dies', async () => {
  process.kill(pidsOf(1)[0]!, 'SIGKILL');
  await shardGone(emu.discord, 1);
  await eventually(() => pidsOf(1).length === 2, 30_000, 'the manager to restart shard 1');
  await emu.discord.gateway.waitForShard(1, 60_000);
  expect((await listVoices(guilds[1]!)).content).toMatch(/^No voices yet/);
}, 120_000);

it('SIGTERM stops every shard process gracefully and exits 0', async () => {
  const exited = new Promise<number | null>((resolve) => launcher.once('exit', (code) => resolve(code)));
  launcher.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(logs.filter((l) => l.includes('"msg":"stopped"'))).toHaveLength(2);
  expect(emu.discord.gateway.liveShards()).toEqual([]);
}, 60_000);
