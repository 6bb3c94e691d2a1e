#!/usr/bin/env node
import { REST, Routes } from 'discord.js';
import { allCommands } from '../commands/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import { environment } from './env.ts';

/**
 * Registers the slash commands: to `DISCORD_DEV_GUILD_ID` when set (instant), else globally (may take up to an hour to show).
 * @remarks Imports no handler: command data lives in `commands/`.
 */
async function deploy(): Promise<void> {
  const config = loadConfig(environment(), { discord: true });
  const token = config.discordToken ?? '';
  const rest = new REST({ api: config.discord.restUrl }).setToken(token);
  const applicationId = Buffer.from(token.split('.')[0] ?? '', 'base64').toString('utf8');
  if (!/^\d{17,20}$/.test(applicationId)) throw new ConfigError(['DISCORD_TOKEN does not look like a bot token (its first part must encode the application id).']);
  const { devGuildId } = config.discord;
  const route = devGuildId ? Routes.applicationGuildCommands(applicationId, devGuildId) : Routes.applicationCommands(applicationId);
  const registered = (await rest.put(route, { body: allCommands })) as unknown[];
  process.stdout.write(`Registered ${registered.length} commands ${devGuildId ? `in server ${devGuildId}` : 'globally'}.\n`);
}

deploy().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
