import { Client, GatewayIntentBits } from 'discord.js';

/**
 * The Discord client with the intents the bot uses.
 * @remarks GuildVoiceStates is needed to find members' channels and to hear voice events at all.
 */
export function createDiscordClient(restUrl: string): Client {
  return new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildVoiceStates],
    rest: { api: restUrl },
    allowedMentions: { parse: [] },
  });
}
