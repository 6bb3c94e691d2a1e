#!/usr/bin/env node
import { startBot } from './bot.ts';
import { loadConfig } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { exitOnStartupFailure, startupEnvironment } from './startupFailure.ts';

/** `npm start`: configuration → the bot → stop cleanly on SIGINT/SIGTERM. */
async function main(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const config = loadConfig(env, { discord: true });
  const log = createLogger(config.logLevel);
  guardProcess(log);
  const bot = await startBot(config, log);
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    void bot.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
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

const env = startupEnvironment();
main(env).catch((error: unknown) => exitOnStartupFailure(error, env));
