/**
 * docker-compose.yml, parsed: Redis persists (AOF on a named volume), the bot runs the shard launcher on it,
 * its stop grace covers the graceful shutdown, its nice limit lets the voice threads raise their priority, and
 * every environment key it sets or interpolates is documented in .env.example.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { VOICE_THREAD_NICE } from '../src/playback/voiceThreadProtocol.ts';
import { SHARD_STOP_WAIT_MS } from '../src/sharding/launcher.ts';

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  stop_grace_period?: string;
  ulimits?: Record<string, number>;
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

  it("lets the bot's voice threads raise their priority to the nice value they ask for", () => {
    // RLIMIT_NICE allows nice values down to 20 - limit.
    expect(20 - (bot?.ulimits?.nice ?? 0)).toBeLessThanOrEqual(VOICE_THREAD_NICE);
  });

  it('documents every environment key it sets or interpolates in .env.example', () => {
    const set = Object.values(compose.services).flatMap((s) => Object.keys(s.environment ?? {}));
    const interpolated = [...text.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    const keys = [...new Set([...set, ...interpolated])];
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((key) => !documented.has(key))).toEqual([]);
  });
});

describe('deploy/: the monitoring stack the compose file includes', () => {
  const read = (path: string): unknown => parse(readFileSync(new URL(path, import.meta.url), 'utf8'));
  const included = (compose as Compose & { include?: string[] }).include ?? [];
  const monitoring = read('../deploy/docker-compose.monitoring.yml') as Compose & {
    services: Record<string, Service & { profiles?: string[] }>;
  };
  const prometheus = read('../deploy/prometheus/prometheus.yml') as {
    scrape_configs: { static_configs: { targets: string[] }[] }[];
  };

  it('is included, runs only under the monitoring profile, and scrapes the bot on its metrics port', () => {
    expect(included).toContain('deploy/docker-compose.monitoring.yml');
    for (const service of Object.values(monitoring.services)) expect(service.profiles).toEqual(['monitoring']);
    const targets = prometheus.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets));
    const { bot } = compose.services;
    expect(targets).toContain(`bot:${/\$\{METRICS_PORT:-(\d+)\}/.exec(bot?.environment?.METRICS_PORT ?? '')?.[1]}`);
    expect(bot?.environment?.METRICS_HOST).toBe('0.0.0.0');
  });
});
