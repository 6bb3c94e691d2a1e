#!/usr/bin/env node
import { startBot } from './bot.ts';
import { loadConfig } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { managedShardEnv } from './sharding/managedEnv.ts';
import { exitOnStartupFailure, startupEnvironment } from './startupFailure.ts';

/**
 * `npm start` (or one shard process of `npm run shards`): configuration → the bot → on SIGINT/SIGTERM a
 * graceful stop (see `Bot.stop`) and exit 0; a second signal while stopping is ignored, not fatal.
 */
async function main(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const config = loadConfig(env, { discord: true });
  const log = createLogger(config.logLevel);
  guardProcess(log);
  const bot = await startBot(config, log);
  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return void log.info({ signal }, 'already shutting down');
    stopping = true;
    log.info({ signal, shards: config.discord.shards?.ids }, 'shutting down');
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/**
 * Last-resort handlers: a stray rejection is logged, not fatal; an uncaught exception ends the process
 * (its state is unknown) — except @discordjs/voice's UDP keep-alive firing on a socket that a fast voice
 * reconnect has just closed, which is harmless and must not take every server's voice down with it.
 */
function guardProcess(log: Logger): void {
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (error) => {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SOCKET_DGRAM_NOT_RUNNING')
      return void log.warn({ err: error }, 'voice keep-alive on a closed socket');
    log.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
}

const env = managedShardEnv(startupEnvironment());
main(env).catch((error: unknown) => exitOnStartupFailure(error, env));
