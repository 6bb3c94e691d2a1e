type Env = Readonly<Record<string, string | undefined>>;

/**
 * The environment of a bot process, with the shard that discord.js's `ShardingManager` gave it.
 * @remarks The manager starts each shard process with `SHARDING_MANAGER=true`, `SHARDS=<id>` and
 * `SHARD_COUNT=<total>`; those win over the `DISCORD_SHARDS` the launcher itself was given (the list of
 * every shard it spawns), so each child connects exactly its own shard.
 */
export function managedShardEnv(env: Env): Env {
  if (env.SHARDING_MANAGER !== 'true' || env.SHARDS === undefined || env.SHARD_COUNT === undefined) return env;
  return { ...env, DISCORD_SHARDS: env.SHARDS, DISCORD_SHARD_COUNT: env.SHARD_COUNT };
}
