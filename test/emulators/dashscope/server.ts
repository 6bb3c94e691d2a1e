/**
 * The loopback DashScope emulator: voice design and generation over HTTP, realtime TTS over WebSocket.
 * @remarks One `http.Server` on one port serves all three, sharing one `EmulatorContext`, so a voice
 * designed over HTTP is usable over the realtime socket and a test can flip faults at any time.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createContext, resetContext, type StartOptions } from './context.ts';
import { onHttpRequest, pathOf } from './http-routes.ts';
import { handleRealtimeUpgrade, stopRealtime } from './realtime.ts';
import type { EmulatedVoice, EmulatorContext, RecordedRequest } from './state.ts';

export type { StartOptions } from './context.ts';
export { CUSTOMIZATION_PATH, GENERATION_PATH } from './http-routes.ts';

/** Path of the realtime WebSocket endpoint (the model goes in `?model=`). */
export const REALTIME_PATH = '/api-ws/v1/realtime';

/** A running emulator. */
export interface DashScopeEmulator {
  /** `http://<host>:<port>`, without a path. */
  baseUrl: string;
  /** `ws://<host>:<port>/api-ws/v1/realtime`. */
  realtimeUrl: string;
  apiKey: string;
  ctx: EmulatorContext;
  faults: EmulatorContext['faults'];
  voices: Map<string, EmulatedVoice>;
  requests: RecordedRequest[];
  /** Clears voices, requests and stats and switches every fault off. */
  reset(): void;
  /** Stops listening and destroys every open socket (HTTP and WebSocket). */
  close(): Promise<void>;
}

/** Starts the emulator; resolves once it listens. */
export async function startDashScopeEmulator(options: StartOptions = {}): Promise<DashScopeEmulator> {
  const ctx = createContext(options);
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => void onHttpRequest(ctx, req, res));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => onUpgrade(ctx, req, socket, head));
  const port = await listen(server, ctx.options.host, ctx.options.port);
  const origin = `${hostForUrl(ctx.options.host)}:${port}`;
  return {
    baseUrl: `http://${origin}`,
    realtimeUrl: `ws://${origin}${REALTIME_PATH}`,
    apiKey: ctx.options.apiKey,
    ctx,
    faults: ctx.faults,
    voices: ctx.voices,
    requests: ctx.requests,
    reset: () => resetContext(ctx),
    close: () => {
      stopRealtime(ctx);
      return close(server, sockets);
    },
  };
}

function onUpgrade(ctx: EmulatorContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  if (pathOf(req) !== REALTIME_PATH) {
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    return;
  }
  try {
    handleRealtimeUpgrade(ctx, req, socket, head);
  } catch {
    socket.destroy();
  }
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function close(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
    server.closeAllConnections();
  });
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
