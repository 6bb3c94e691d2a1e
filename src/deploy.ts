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
  const config = loadConfig(environment(), { discord: true, dashscope: false });
  const rest = new REST({ api: config.discord.restUrl }).setToken(config.discordToken ?? '');
  const { id: applicationId } = (await rest.get(Routes.currentApplication())) as { id: string };
  const { devGuildId } = config.discord;
  const route = devGuildId
    ? Routes.applicationGuildCommands(applicationId, devGuildId)
    : Routes.applicationCommands(applicationId);
  const registered = (await rest.put(route, { body: allCommands })) as unknown[];
  process.stdout.write(
    `Registered ${registered.length} commands ${devGuildId ? `in server ${devGuildId}` : 'globally'}.\n`,
  );
}

deploy().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
