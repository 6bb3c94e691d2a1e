/**
 * The monitoring endpoint follows the bot's life, in process: `startBot` with METRICS_PORT serves it, `stop()`
 * closes it; without METRICS_PORT nothing listens; a taken port fails start-up naming METRICS_PORT.
 */
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot } from '../../src/bot.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { type DashScopeEmulator, startDashScopeEmulator } from '../emulators/dashscope/server.ts';
import { type DiscordEmulator, startDiscordEmulator } from '../emulators/discord/server.ts';
import { freePort } from '../setup/redis.ts';
import { get } from './scrape.ts';

let discord: DiscordEmulator;
let dashscope: DashScopeEmulator;
const quiet = createLogger('error', new Writable({ write: (_c, _e, done) => done() }));

beforeAll(async () => {
  discord = await startDiscordEmulator();
  dashscope = await startDashScopeEmulator();
  discord.addGuild({ channels: [{ type: 'text', name: 'general' }], members: [{ username: 'alice' }] });
}, 30_000);
afterAll(async () => {
  await discord?.close();
  await dashscope?.close();
});

function config(extra: Record<string, string>) {
  const env = {
    DISCORD_TOKEN: discord.token,
    DISCORD_REST_URL: discord.restUrl,
    DASHSCOPE_API_KEY: dashscope.apiKey,
    DASHSCOPE_BASE_URL: dashscope.baseUrl,
    DASHSCOPE_REALTIME_URL: dashscope.realtimeUrl,
    STORE_URL: 'memory://',
    ...extra,
  };
  return loadConfig(env, { discord: true });
}

describe('the monitoring endpoint and the bot', () => {
  it('listens while the bot runs and is closed by stop()', async () => {
    const port = await freePort();
    const bot = await startBot(config({ METRICS_PORT: String(port) }), quiet);
    try {
      expect((await get(`http://127.0.0.1:${port}`, '/healthz')).status).toBe(200);
    } finally {
      await bot.stop();
    }
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    await expect(listenable(port)).resolves.toBe(true);
  }, 30_000);

  it('listens nowhere without METRICS_PORT', async () => {
    const bot = await startBot(config({}), quiet);
    await bot.stop();
    expect(await bot.metrics.registry.getSingleMetric('voicebot_utterances_total')).toBeDefined();
    expect(bot.metrics.registry.getSingleMetric('nodejs_eventloop_lag_seconds')).toBeUndefined();
  }, 30_000);

  it('refuses to start on a taken port, naming METRICS_PORT', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      await expect(startBot(config({ METRICS_PORT: String(port) }), quiet)).rejects.toThrow(
        `METRICS_PORT ${port} could not be opened on 127.0.0.1 (EADDRINUSE)`,
      );
    } finally {
      taken.close();
    }
  }, 30_000);
});

/** Whether a new server can listen on `port` (nothing holds it any more). */
function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
