type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment of a bot process, with the shard that discord.js's `ShardingManager` gave it.
 * @remarks The manager starts each shard process with `SHARDING_MANAGER=true`, `SHARDS=<id>` and
 * `SHARD_COUNT=<total>`; those win over the `DISCORD_SHARDS` the launcher itself was given (the list of
 * every shard it spawns), so each child connects exactly its own shard. Processes on one machine cannot share a
 * port, so a set `METRICS_PORT` is the first shard's: shard N serves its metrics on `METRICS_PORT + N`.
 */
export function managedShardEnv(env: Env): Env {
  if (env.SHARDING_MANAGER !== 'true' || env.SHARDS === undefined || env.SHARD_COUNT === undefined) return env;
  const managed = { ...env, DISCORD_SHARDS: env.SHARDS, DISCORD_SHARD_COUNT: env.SHARD_COUNT };
  const basePort = Number(env.METRICS_PORT);
  const shard = Number(env.SHARDS);
  if (!Number.isInteger(basePort) || basePort <= 0 || !Number.isInteger(shard)) return managed;
  return { ...managed, METRICS_PORT: String(basePort + shard) };
}
