/**
 * `/readyz` over real HTTP with real parts: a discord.js client against the loopback Discord (not ready before
 * login, ready after), and a Redis store on a redis-server of this test's own, stopped and started again.
 */
import type { ChildProcess } from 'node:child_process';
import { type Client, Events } from 'discord.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDiscordClient } from '../../src/discord/client.ts';
import { gatewayReady } from '../../src/discord/gatewayReady.ts';
import { BotMetrics } from '../../src/metrics/botMetrics.ts';
import { checkReadiness, storeReachable } from '../../src/metrics/readiness.ts';
import { type MetricsServer, serveMetrics } from '../../src/metrics/server.ts';
import { openStore, type Store } from '../../src/voices/store.ts';
import { standardGuild } from '../e2e/harness.ts';
import { type DiscordEmulator, startDiscordEmulator } from '../emulators/discord/server.ts';
import { freePort, startRedis, stopRedis } from '../setup/redis.ts';
import { get, scrape } from './scrape.ts';

let discord: DiscordEmulator;
let redisPort: number;
let redis: ChildProcess;
let store: Store;
let server: MetricsServer;
let base: string;
let bot: Client;

beforeAll(async () => {
  discord = await startDiscordEmulator();
  discord.addGuild(standardGuild());
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  store = await openStore(`redis://127.0.0.1:${redisPort}`, { namespace: `readyz-${process.pid}` });
  const metrics = new BotMetrics('all');
  store.keyv.on('error', () => metrics.storeError()); // as the bot wires it
  bot = createDiscordClient({ restUrl: discord.restUrl, devGuildId: undefined, shards: undefined });
  const readiness = () =>
    checkReadiness({
      gatewayReady: () => gatewayReady(bot),
      storeReachable: () => storeReachable(store.keyv),
    });
  const registry = metrics.registry;
  server = await serveMetrics({ host: '127.0.0.1', port: 0, registry, readiness, log: pino({ level: 'silent' }) });
  base = `http://127.0.0.1:${server.port}`;
}, 30_000);

afterAll(async () => {
  await server?.close();
  await bot?.destroy();
  await store?.close();
  if (redis) await stopRedis(redis);
  await discord?.close();
}, 30_000);

/** Polls /readyz until it answers `status`; its body then. */
async function readyz(status: number, timeoutMs = 15_000): Promise<unknown> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(base, '/readyz');
    if (answer.status === status) return JSON.parse(answer.body);
    if (Date.now() > end) throw new Error(`/readyz stayed ${answer.status} (${answer.body.trim()})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('/readyz', () => {
  it('is 503 before the gateway is ready, 200 once it is', async () => {
    const first = await get(base, '/readyz');
    expect(first.status).toBe(503);
    expect(JSON.parse(first.body)).toEqual({ ready: false, failing: ['gateway'] });
    expect((await get(base, '/healthz')).status).toBe(200); // alive all the same
    const ready = new Promise((resolve) => bot.once(Events.ClientReady, resolve));
    await bot.login(discord.token);
    await ready;
    expect(await readyz(200)).toEqual({ ready: true });
  }, 30_000);

  it('is 503 naming the store while Redis is stopped, and 200 again when it is back', async () => {
    await stopRedis(redis);
    expect(await readyz(503)).toEqual({ ready: false, failing: ['store'] });
    expect((await get(base, '/healthz')).status).toBe(200);
    expect((await scrape(base)).value('voicebot_store_errors_total')).toBeGreaterThanOrEqual(1);
    redis = await startRedis(redisPort);
    expect(await readyz(200, 20_000)).toEqual({ ready: true });
  }, 45_000);
});
