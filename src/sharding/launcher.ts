import { fileURLToPath } from 'node:url';
import { type Shard, ShardingManager } from 'discord.js';
import type { Config } from '../config.ts';
import { SHUTDOWN_BOUND_MS } from '../lifecycle/shutdown.ts';
import type { Logger } from '../log.ts';
import { recommendedShardCount } from './recommended.ts';

/** The bot entry point each shard process runs. */
const BOT_FILE = fileURLToPath(new URL('../main.ts', import.meta.url));
/** How long one shard process may take from spawn to its gateway READY, ms. */
const SHARD_READY_TIMEOUT_MS = 120_000;
/** Gap between two shard spawns: Discord allows one IDENTIFY per 5 s per `max_concurrency` bucket, ms. */
const SPAWN_DELAY_MS = 5_500;
/** How long stopping waits for the shard processes' own graceful shutdown before SIGKILL, ms. */
export const SHARD_STOP_WAIT_MS = SHUTDOWN_BOUND_MS + 5_000;

/** The shard processes. */
export interface ShardProcesses {
  count: number;
  ids: number[];
  /** Resolves once every shard process is READY (rejects when one dies before). */
  ready: Promise<void>;
  /** SIGTERM to every shard process (each stops gracefully), SIGKILL after a bound; true when all exited 0. */
  stop(): Promise<boolean>;
}

/**
 * Starts the bot as one process per shard under discord.js's `ShardingManager`, which restarts a shard
 * process that dies. The total is `DISCORD_SHARD_COUNT` or Discord's recommendation; this launcher
 * spawns `DISCORD_SHARDS` (default: all), so several machines can split the shards between them.
 */
export async function launchShards(config: Config, log: Logger): Promise<ShardProcesses> {
  const token = config.discordToken ?? '';
  const count = config.discord.shards?.count ?? (await recommendedShardCount(config.discord.restUrl, token));
  const ids = config.discord.shards?.ids ?? Array.from({ length: count }, (_, id) => id);
  const manager = new ShardingManager(BOT_FILE, {
    totalShards: count,
    shardList: ids,
    token,
    mode: 'process',
    respawn: true,
    execArgv: process.execArgv,
  });
  manager.on('shardCreate', (shard) => {
    shard.on('spawn', (child) => log.info({ shard: shard.id, count, pid: pidOf(child) }, 'shard process started'));
    shard.on('death', (child) => log.warn({ shard: shard.id, exitCode: exitCodeOf(child) }, 'shard process exited'));
  });
  log.info({ count, ids }, 'starting shard processes');
  const ready = manager.spawn({ amount: count, delay: SPAWN_DELAY_MS, timeout: SHARD_READY_TIMEOUT_MS }).then(() => {});
  return { count, ids, ready, stop: () => stopShards(manager, log) };
}

async function stopShards(manager: ShardingManager, log: Logger): Promise<boolean> {
  manager.respawn = false;
  const codes = await Promise.all([...manager.shards.values()].map((shard) => stopShard(shard, log)));
  return codes.every((code) => code === 0);
}

/** SIGTERM, then SIGKILL after {@link SHARD_STOP_WAIT_MS}; resolves with the exit code (null when killed). */
function stopShard(shard: Shard, log: Logger): Promise<number | null> {
  const child = shard.process;
  if (child === null || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve(child?.exitCode ?? null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log.warn({ shard: shard.id }, 'shard process did not stop in time; killing it');
      child.kill('SIGKILL');
    }, SHARD_STOP_WAIT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

function pidOf(child: unknown): number | null {
  const pid = (child as { pid?: unknown } | null)?.pid;
  return typeof pid === 'number' ? pid : null;
}

function exitCodeOf(child: unknown): number | null {
  const code = (child as { exitCode?: unknown } | null)?.exitCode;
  return typeof code === 'number' ? code : null;
}
