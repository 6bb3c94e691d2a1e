/**
 * The monitoring endpoint: `/metrics` (Prometheus text format), `/healthz` (the process answers) and `/readyz`
 * (gateway ready and store reachable: 200, else 503).
 * @remarks Plain node:http: three read-only routes need no framework, and prom-client serves no HTTP itself.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import { ConfigError } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Readiness } from './readiness.ts';

export interface MetricsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  readiness(): Promise<Readiness>;
  log: Logger;
}

/** A listening monitoring endpoint. */
export interface MetricsServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops listening and drops open connections (a scraper's keep-alive included). */
  close(): Promise<void>;
}

/**
 * Listens on `host:port`.
 * @throws ConfigError naming METRICS_PORT when the port cannot be opened (in use, not allowed).
 */
export async function serveMetrics(options: MetricsServerOptions): Promise<MetricsServer> {
  const { host, port, log } = options;
  const server = createServer((req, res) => {
    route(req, res, options).catch((error: unknown) => {
      log.warn({ err: error, path: req.url }, 'monitoring request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new ConfigError([
          `METRICS_PORT ${port} could not be opened on ${host} (${error.code ?? error.message}): choose another ` +
            'port, or leave METRICS_PORT empty to turn monitoring off.',
        ]),
      ),
    );
    server.listen(port, host, resolve);
  });
  const bound = (server.address() as AddressInfo).port;
  log.info({ host, port: bound }, 'monitoring on /metrics, /healthz and /readyz');
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(req: IncomingMessage, res: ServerResponse, options: MetricsServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
  if (path === '/metrics')
    return send(res, 200, options.registry.contentType, await options.registry.metrics(), req.method);
  if (path === '/healthz') return send(res, 200, 'text/plain', 'ok\n', req.method);
  if (path === '/readyz') {
    const readiness = await options.readiness();
    return send(res, readiness.ready ? 200 : 503, 'application/json', `${JSON.stringify(readiness)}\n`, req.method);
  }
  send(res, 404, 'text/plain', 'not found: /metrics, /healthz or /readyz\n');
}

function send(res: ServerResponse, status: number, type: string, body: string, method = 'GET'): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(method === 'HEAD' ? undefined : body);
}
