import { REST, Routes } from 'discord.js';

/** What `GET /gateway/bot` answers (the fields the launcher reads). */
interface GatewayBot {
  shards: number;
  session_start_limit: { remaining: number; max_concurrency: number };
}

/**
 * Discord's recommended shard count for this bot, from `GET /gateway/bot` on `restUrl`.
 * @remarks discord.js's own `fetchRecommendedShardCount` always asks discord.com; this one honours
 * `DISCORD_REST_URL` (a REST proxy, or the test emulator).
 */
export async function recommendedShardCount(restUrl: string, token: string): Promise<number> {
  const rest = new REST({ api: restUrl }).setToken(token);
  const answer = (await rest.get(Routes.gatewayBot())) as GatewayBot;
  return Math.max(1, answer.shards);
}
