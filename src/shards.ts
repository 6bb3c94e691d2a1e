#!/usr/bin/env node
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { launchShards } from './sharding/launcher.ts';
import { exitOnStartupFailure, startupEnvironment } from './startupFailure.ts';

/**
 * `npm run shards`: the bot as one process per shard (discord.js's ShardingManager), stopped gracefully on
 * SIGTERM/SIGINT: every shard process gets SIGTERM and the launcher exits 0 once all of them did.
 */
async function main(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const config = loadConfig(env, { discord: true });
  const log = createLogger(config.logLevel);
  const shards = await launchShards(config, log);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping shard processes');
    void shards.stop().then((clean) => process.exit(clean ? 0 : 1));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  await shards.ready;
  log.info({ count: shards.count, ids: shards.ids }, 'every shard process is ready');
}

const env = startupEnvironment();
main(env).catch((error: unknown) => exitOnStartupFailure(error, env));
