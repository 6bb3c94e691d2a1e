/**
 * Helpers for tests that run a real discord.js client against the Discord emulator in-process.
 */
import { once } from 'node:events';
import { Client, GatewayIntentBits } from 'discord.js';
import type { AddedGuild, DiscordEmulator, GuildSpec } from './discord/server.ts';

/** The intents a narrating voice bot needs. */
export const BOT_INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildVoiceStates,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
];

/** A small guild: #general, 🔊Lounge, a DJ role, alice (DJ, in Lounge) and bob. */
export function sampleGuild(overrides: Partial<GuildSpec> = {}): GuildSpec {
  return {
    name: 'Emu Guild',
    channels: [
      { type: 'category', name: 'Main' },
      { type: 'text', name: 'general', parent: 'Main' },
      { type: 'voice', name: 'Lounge', parent: 'Main' },
    ],
    roles: [{ name: 'DJ', permissions: 1n << 5n }],
    members: [{ username: 'alice', roles: ['DJ'] }, { username: 'bob' }],
    voiceStates: [{ userId: 'alice', channelId: 'Lounge' }],
    ...overrides,
  };
}

/** Logs a discord.js client in against `emu` and resolves once it is ready (guilds cached). */
export async function connectClient(emu: DiscordEmulator, intents = BOT_INTENTS): Promise<Client> {
  emu.trustInProcess();
  const client = new Client({ intents, rest: { api: emu.restUrl }, waitGuildTimeout: 200 });
  const ready = once(client, 'clientReady');
  await client.login(emu.token);
  await ready;
  return client;
}

/** Starts the emulator with one sample guild and a ready client. */
export async function emulatorWithClient(
  start: () => Promise<DiscordEmulator>,
  spec: GuildSpec = sampleGuild(),
): Promise<{ emu: DiscordEmulator; guild: AddedGuild; client: Client }> {
  const emu = await start();
  const guild = emu.addGuild(spec);
  const client = await connectClient(emu);
  return { emu, guild, client };
}
