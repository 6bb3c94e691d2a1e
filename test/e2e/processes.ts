/**
 * Bots as real child processes (`node src/main.ts`, what `npm start` runs) against emulators living in the
 * test process: several processes at once (one per shard), each startable, stoppable and killable.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createClient } from '@keyv/redis';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';
import {
  type DiscordEmulator,
  type DiscordEmulatorOptions,
  startDiscordEmulator,
} from '../emulators/discord/server.ts';
import { eventually, runScript, waitForLog } from './harness.ts';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));
/** From spawn to the gateway READY of a bot process on a loaded 2-core machine, ms. */
const START_TIMEOUT_MS = 40_000;
/** From SIGTERM to exit: the bot's graceful shutdown is bounded well below this, ms. */
const STOP_TIMEOUT_MS = 40_000;

/** Both emulators, and the environment every bot process of the test shares. */
export interface Emulators {
  discord: DiscordEmulator;
  dashscope: DashScopeEmulator;
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts both emulators and registers the commands (`npm run deploy`) with `env` over the defaults. */
export async function startEmulators(
  env: Record<string, string>,
  discordOptions: DiscordEmulatorOptions = {},
): Promise<Emulators> {
  const discord = await startDiscordEmulator(discordOptions);
  const dashscope = await startDashScopeEmulator({
    realtime: { realTimeFactor: 0.5, chunkMs: 100, firstPacketDelayMs: 0, handshakeDelayMs: 0 },
  });
  const full: Record<string, string> = {
    DISCORD_TOKEN: discord.token,
    DISCORD_REST_URL: discord.restUrl,
    DASHSCOPE_API_KEY: dashscope.apiKey,
    DASHSCOPE_BASE_URL: dashscope.baseUrl,
    DASHSCOPE_REALTIME_URL: dashscope.realtimeUrl,
    NODE_EXTRA_CA_CERTS: discord.certPath,
    DESIGN_COOLDOWN_SECONDS: '0',
    LOG_LEVEL: 'debug',
    ...env,
  };
  const deployed = await runScript('deploy', full);
  if (deployed.code !== 0) throw new Error(`npm run deploy failed: ${deployed.output}`);
  return {
    discord,
    dashscope,
    env: full,
    close: async () => void (await Promise.all([discord.close(), dashscope.close()])),
  };
}

/** One bot process; `start` may be called again after it exited (a restart on the same store). */
export interface BotProcess {
  readonly logs: string[];
  /** Spawns the process and resolves once the emulator saw its shard identify and it logged `ready`. */
  start(): Promise<void>;
  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  signal(signal: NodeJS.Signals): Promise<number | null>;
  /** True while the process runs. */
  running(): boolean;
}

/** A bot process on shard `shardId` of `count` (no shard env when `count` is 1). */
export function botProcess(emulators: Emulators, shardId: number, count: number, env: Record<string, string> = {}) {
  const logs: string[] = [];
  let child: ChildProcess | undefined;
  const shardEnv = count > 1 ? { DISCORD_SHARDS: String(shardId), DISCORD_SHARD_COUNT: String(count) } : {};
  const running = (): boolean => child !== undefined && child.exitCode === null && child.signalCode === null;
  const process_: BotProcess = {
    logs,
    running,
    async start() {
      if (running()) throw new Error(`bot process of shard ${shardId} is running already`);
      const seen = logs.length;
      const fullEnv = { ...process.env, ...emulators.env, ...shardEnv, ...env };
      child = spawn(process.execPath, [MAIN], { env: fullEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      const collect = (d: Buffer): void => void logs.push(...d.toString().split('\n').filter(Boolean));
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      await emulators.discord.gateway.waitForShard(shardId, START_TIMEOUT_MS);
      await waitForLog(logs, /"msg":"ready"/, START_TIMEOUT_MS, seen);
    },
    async signal(signal) {
      const target = child;
      if (target === undefined || !running()) return target?.exitCode ?? null;
      const exited = new Promise<number | null>((resolve) => target.once('exit', (code) => resolve(code)));
      target.kill(signal);
      const timer = setTimeout(() => target.kill('SIGKILL'), STOP_TIMEOUT_MS);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  return process_;
}

/** Waits until no live gateway session is on `shardId` (a killed process's socket closed). */
export function shardGone(discord: DiscordEmulator, shardId: number, timeoutMs = 10_000): Promise<true> {
  return eventually(
    () => !discord.gateway.liveShards().some(([id]) => id === shardId),
    timeoutMs,
    `shard ${shardId} to disconnect`,
  );
}

/** A Redis database of its own for a test file (`db`), emptied; the URL the bots take as STORE_URL. */
export async function freshRedisDb(redisUrl: string, db: number): Promise<string> {
  const url = `${redisUrl.replace(/\/\d*$/, '')}/${db}`;
  const client = createClient({ url });
  await client.connect();
  await client.flushDb();
  await client.close();
  return url;
}
