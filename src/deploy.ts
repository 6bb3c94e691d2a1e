#!/usr/bin/env node
import { REST, Routes } from 'discord.js';
import { allCommands } from '../commands/index.ts';
import { loadConfig } from './config.ts';
import { exitOnStartupFailure, startupEnvironment } from './startupFailure.ts';

/**
 * Registers the slash commands: to `DISCORD_DEV_GUILD_ID` when set (instant), else globally (may take up to an hour to
 * show).
 * @remarks Imports no handler: command data lives in `commands/`.
 */
async function deploy(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const config = loadConfig(env, { discord: true, dashscope: false });
  // No retries: a network failure is reported at once rather than after minutes of backoff.
  const rest = new REST({ api: config.discord.restUrl, retries: 0 }).setToken(config.discordToken ?? '');
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

const env = startupEnvironment();
deploy(env).catch((error: unknown) => exitOnStartupFailure(error, env));
