/**
 * The monitoring endpoint wired to the bot's parts: what `startBot` calls when `METRICS_PORT` is set.
 */
import type Keyv from 'keyv';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { GuildPlayers } from '../playback/guildPlayers.ts';
import type { SpendLedger } from '../spend/ledger.ts';
import type { RoutingTtsEngine } from '../tts/engines.ts';
import type { BotMetrics } from './botMetrics.ts';
import { type BilledToday, registerCollectors } from './collectors.ts';
import { checkReadiness, storeReachable } from './readiness.ts';
import { type MetricsServer, serveMetrics } from './server.ts';

/** The parts of a running bot the endpoint reads. */
export interface MonitoredBot {
  metrics: BotMetrics;
  engine: RoutingTtsEngine;
  players: GuildPlayers;
  /** The guilds this process serves (their players are looked up for queues and connections). */
  guildIds(): Iterable<string>;
  gatewayReady(): boolean;
  keyv: Keyv;
  spend: SpendLedger;
  log: Logger;
}

/** Serves `/metrics`, `/healthz` and `/readyz` when the configuration asks for it; undefined when it is off. */
export async function startMonitoring(
  endpoint: Config['metrics'],
  bot: MonitoredBot,
): Promise<MetricsServer | undefined> {
  if (endpoint === undefined) return undefined;
  const { metrics, engine, players, keyv, spend } = bot;
  registerCollectors(metrics.registry, {
    sessions: () => {
      const stats = engine.realtime.stats;
      return { opened: stats.sessionsOpened, reused: stats.warmUtterances, open: stats.sessionsOpen };
    },
    voice: () => voiceLoad(players, bot.guildIds()),
    billedToday: async () => billedToday(await spend.accountDay()),
    gatewayReady: bot.gatewayReady,
  });
  return serveMetrics({
    ...endpoint,
    registry: metrics.registry,
    readiness: () => checkReadiness({ gatewayReady: bot.gatewayReady, storeReachable: () => storeReachable(keyv) }),
    log: bot.log,
  });
}

/** Voice connections up and utterances speaking or waiting, over `guildIds`. */
export function voiceLoad(players: GuildPlayers, guildIds: Iterable<string>): { connections: number; queued: number } {
  let connections = 0;
  let queued = 0;
  for (const guildId of guildIds) {
    const player = players.get(guildId);
    if (player === undefined) continue;
    connections += 1;
    queued += player.pending.length;
  }
  return { connections, queued };
}

/** The ledger's account counters for a day, in the units the metric reports. */
export function billedToday(day: Readonly<Record<string, number>>): BilledToday {
  return { designs: day.designs ?? 0, characters: day.chars ?? 0, usd: (day.usd_micro ?? 0) / 1_000_000 };
}

/** The `shard` label of this process: its shard ids (`0+1`), or `all` when the bot is not sharded. */
export function shardLabel(shards: Config['discord']['shards']): string {
  return shards === undefined ? 'all' : shards.ids.join('+');
}
