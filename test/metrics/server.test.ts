import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config.ts';
import { BotMetrics } from '../../src/metrics/botMetrics.ts';
import type { Readiness } from '../../src/metrics/readiness.ts';
import { type MetricsServer, serveMetrics } from '../../src/metrics/server.ts';
import { get, scrape } from './scrape.ts';

const log = pino({ level: 'silent' });
let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(readiness: () => Promise<Readiness>): Promise<string> {
  const metrics = new BotMetrics('all');
  metrics.storeError();
  server = await serveMetrics({ host: '127.0.0.1', port: 0, registry: metrics.registry, readiness, log });
  return `http://127.0.0.1:${server.port}`;
}

describe('the monitoring endpoint, over HTTP', () => {
  it('serves /metrics in the Prometheus text format, /healthz, and 404 elsewhere', async () => {
    const base = await serve(async () => ({ ready: true }));
    const metrics = await get(base, '/metrics');
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect((await scrape(base)).value('voicebot_store_errors_total')).toBe(1);
    expect(await get(base, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get(base, '/nothing')).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('answers /readyz 200 when ready and 503 naming what fails when not', async () => {
    let readiness: Readiness = { ready: false, failing: ['gateway', 'store'] };
    const base = await serve(async () => readiness);
    const notReady = await get(base, '/readyz');
    expect(notReady.status).toBe(503);
    expect(JSON.parse(notReady.body)).toEqual({ ready: false, failing: ['gateway', 'store'] });
    readiness = { ready: true };
    expect(await get(base, '/readyz')).toMatchObject({ status: 200 });
  });

  it('stops listening on close, a keep-alive connection included', async () => {
    const base = await serve(async () => ({ ready: true }));
    await get(base, '/healthz');
    await server?.close();
    server = undefined;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('names METRICS_PORT when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as { port: number };
    try {
      const registry = new BotMetrics('all').registry;
      const opening = serveMetrics({
        host: '127.0.0.1',
        port,
        registry,
        readiness: async () => ({ ready: true }),
        log,
      });
      await expect(opening).rejects.toThrow(ConfigError);
      await expect(opening).rejects.toThrow(`METRICS_PORT ${port} could not be opened on 127.0.0.1 (EADDRINUSE)`);
    } finally {
      taken.close();
    }
  });
});
