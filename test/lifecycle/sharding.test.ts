import { describe, expect, it } from 'vitest';
import { PendingWrites } from '../../src/lifecycle/pendingWrites.ts';
import { managedShardEnv } from '../../src/sharding/managedEnv.ts';

describe('managedShardEnv', () => {
  it('gives a ShardingManager child its own shard over the launcher’s list', () => {
    const env = { SHARDING_MANAGER: 'true', SHARDS: '1', SHARD_COUNT: '2', DISCORD_SHARDS: '0,1' };
    expect(managedShardEnv(env)).toMatchObject({ DISCORD_SHARDS: '1', DISCORD_SHARD_COUNT: '2' });
  });
  it('moves a set METRICS_PORT up by the shard id, so shard processes on one machine do not collide', () => {
    const base = { SHARDING_MANAGER: 'true', SHARD_COUNT: '3', METRICS_PORT: '9100' };
    expect(managedShardEnv({ ...base, SHARDS: '0' }).METRICS_PORT).toBe('9100');
    expect(managedShardEnv({ ...base, SHARDS: '2' }).METRICS_PORT).toBe('9102');
    expect(managedShardEnv({ ...base, SHARDS: '2', METRICS_PORT: '' }).METRICS_PORT).toBe('');
  });
  it('leaves a process started by hand as it is', () => {
    const env = { SHARDS: '1', SHARD_COUNT: '2', DISCORD_SHARDS: '0' };
    expect(managedShardEnv(env)).toBe(env);
  });
});

describe('PendingWrites', () => {
  it('waits for tracked writes and reports those still running after the bound', async () => {
    const writes = new PendingWrites();
    let done = false;
    void writes.track(new Promise<void>((resolve) => setTimeout(resolve, 20)).then(() => (done = true)));
    void writes.track(new Promise<void>(() => {})); // never settles
    void writes.track(Promise.reject(new Error('lost'))).catch(() => {});
    expect(await writes.drain(500)).toBe(1);
    expect(done).toBe(true);
  });
});
