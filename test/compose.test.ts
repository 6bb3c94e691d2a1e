/**
 * docker-compose.yml, parsed: Redis persists (AOF on a named volume), the bot runs the shard launcher on it,
 * its stop grace covers the graceful shutdown, and every environment key it sets or interpolates is documented
 * in .env.example.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHARD_STOP_WAIT_MS } from '../src/sharding/launcher.ts';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}

const text = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');
const compose = parse(text) as Compose;
const documented = new Set(
  readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => /^([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
    .filter((key) => key !== undefined),
);

describe('docker-compose.yml', () => {
  const { redis, bot } = compose.services;
  it('runs Redis with AOF on a named, persistent volume', () => {
    expect(redis?.image).toMatch(/^redis:/);
    expect(redis?.command?.join(' ')).toMatch(/--appendonly yes/);
    const [volume, target] = (redis?.volumes?.[0] ?? '').split(':');
    expect(target).toBe('/data');
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('runs the shard launcher on that Redis, after it is healthy, with a grace period over the shutdown bound', () => {
    expect(bot?.build).toBeDefined();
    expect(bot?.command).toEqual(['node', 'src/shards.ts']);
    expect(bot?.environment?.STORE_URL).toBe('redis://redis:6379');
    expect(bot?.depends_on?.redis?.condition).toBe('service_healthy');
    const graceMs = Number(/^(\d+)s$/.exec(bot?.stop_grace_period ?? '')?.[1]) * 1000;
    expect(graceMs).toBeGreaterThan(SHARD_STOP_WAIT_MS);
  });

  it('documents every environment key it sets or interpolates in .env.example', () => {
    const set = Object.values(compose.services).flatMap((s) => Object.keys(s.environment ?? {}));
    const interpolated = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    const keys = [...new Set([...set, ...interpolated])];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
  });
});
