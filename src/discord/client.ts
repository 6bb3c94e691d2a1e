import { Client, Events, GatewayCloseCodes, GatewayIntentBits } from 'discord.js';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

/** What the admin must do when Discord refuses the privileged Message Content intent. */
export const MESSAGE_CONTENT_HELP =
  'Discord refused the Message Content intent (gateway close code 4014). Narrated chat needs it: open the Discord ' +
  'Developer Portal → your application → Bot → Privileged Gateway Intents, turn on MESSAGE CONTENT INTENT, save, and ' +
  'start the bot again. (A bot in 100 or more servers must also be approved for it by Discord.)';

/**
 * The Discord client with the intents the bot uses.
 * @remarks GuildVoiceStates is needed to find members' channels and to hear voice events at all;
 * GuildMessages and the privileged MessageContent deliver chat messages with their text, for
 * narrated chat (without MessageContent their content arrives empty); GuildMessageTyping tells when a member
 * starts typing, so their voice's session is opened before the message arrives.
 */
export function createDiscordClient(discord: Config['discord']): Client {
  return new Client({
    intents: [
      GatewayIntentBits.Guilds,
      GatewayIntentBits.GuildVoiceStates,
      GatewayIntentBits.GuildMessages,
      GatewayIntentBits.MessageContent,
      GatewayIntentBits.GuildMessageTyping,
    ],
    rest: { api: discord.restUrl },
    allowedMentions: { parse: [] },
    ...(discord.shards ? { shards: discord.shards.ids, shardCount: discord.shards.count } : {}),
  });
}

/**
 * Logs in; rejects with {@link MESSAGE_CONTENT_HELP} when Discord refuses a privileged intent.
 * @remarks discord.js treats close code 4014 as final and does not reconnect, and its own error
 * ("Used disallowed intents") does not say what to do. At startup the bot says it and stops rather
 * than run deaf to chat; if it happens later (a reconnect after the intent was turned off), it is
 * logged the same way.
 */
export async function loginExplained(client: Client, token: string | undefined, log: Logger): Promise<void> {
  const refused = new Promise<never>((_, reject) => {
    client.on(Events.ShardDisconnect, (event) => {
      if (event.code !== GatewayCloseCodes.DisallowedIntents) return;
      log.error({ code: event.code }, MESSAGE_CONTENT_HELP);
      reject(new Error(MESSAGE_CONTENT_HELP));
    });
  });
  refused.catch(() => {}); // once logged in, a refusal is only logged
  await Promise.race([client.login(token), refused]);
}
