/**
 * Sharding facts of the emulated gateway: which shard a guild lives on and which guild an event is about.
 */

/** A session's `[shard_id, num_shards]`, as sent in IDENTIFY. */
export type ShardTuple = readonly [id: number, count: number];

/** Discord's sharding formula: `(guild_id >> 22) % num_shards`. */
export function shardOf(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/** The guild an event belongs to, or null for events Discord sends on shard 0 only (DMs, user updates). */
export function guildOfEvent(event: string, data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as { guild_id?: unknown; id?: unknown };
  if (typeof d.guild_id === 'string') return d.guild_id;
  if (event.startsWith('GUILD_') && typeof d.id === 'string') return d.id;
  return null;
}

/** True when a session on `shard` receives an event of `guildId` (null: shard 0 only). */
export function shardReceives(shard: ShardTuple, guildId: string | null): boolean {
  return guildId === null ? shard[0] === 0 : shardOf(guildId, shard[1]) === shard[0];
}

/** The IDENTIFY `shard` field as a tuple, or null when it is malformed; absent means `[0, 1]`. */
export function parseShard(value: unknown): ShardTuple | null {
  if (value === undefined) return [0, 1];
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [id, count] = value as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count)) return null;
  const [i, n] = [id as number, count as number];
  return n >= 1 && i >= 0 && i < n ? [i, n] : null;
}

const DISCORD_EPOCH_MS = 1_420_070_400_000;
let lastMs = 0;

/**
 * A fresh snowflake (for `GuildSpec.id`) whose guild lives on `shardId` of `count` shards.
 * @remarks Its timestamp is a millisecond not used before by this helper, moved forward to the shard.
 */
export function snowflakeOnShard(shardId: number, count: number): string {
  let ms = Math.max(Date.now() - DISCORD_EPOCH_MS, lastMs + 1);
  ms += (shardId - (ms % count) + count) % count;
  lastMs = ms;
  return ((BigInt(ms) << 22n) | (31n << 17n)).toString();
}
