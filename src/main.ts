#!/usr/bin/env node
import { startBot } from './bot.ts';
import { ConfigError, loadConfig } from './config.ts';
import { environment } from './env.ts';
import { createLogger } from './log.ts';

/** `npm start`: configuration → the bot → stop cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig(environment(), { discord: true });
  const log = createLogger(config.logLevel);
  const bot = await startBot(config, log);
  const shutdown = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    void bot.stop().finally(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
