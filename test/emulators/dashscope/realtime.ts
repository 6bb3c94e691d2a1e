/**
 * The realtime endpoint's upgrade (`GET /api-ws/v1/realtime?model=…`, spec §1.1, §1.10 point 1).
 * @remarks The server routes upgrades on this path here (wrong paths are its business). Auth is checked on
 * the upgrade: a refusal is an HTTP status with a DashScope JSON body and no WebSocket at all.
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { isAuthorized } from './http-io.ts';
import { requestId } from './ids.ts';
import { HANDSHAKE_REFUSALS } from './realtime-errors.ts';
import { RealtimeSession } from './realtime-session.ts';
import { admitSession, SESSION_LIMIT_REFUSALS } from './session-limit.ts';
import type { EmulatorContext } from './state.ts';

interface RealtimeEndpoint {
  wss: WebSocketServer;
  /** Sockets waiting out `handshakeDelayMs`, so `stopRealtime` can destroy them too. */
  pending: Set<Duplex>;
}

const endpoints = new WeakMap<EmulatorContext, RealtimeEndpoint>();

function endpointFor(ctx: EmulatorContext): RealtimeEndpoint {
  let endpoint = endpoints.get(ctx);
  if (endpoint === undefined) {
    endpoint = { wss: new WebSocketServer({ noServer: true, perMessageDeflate: false }), pending: new Set() };
    endpoints.set(ctx, endpoint);
  }
  return endpoint;
}

/** Answers a realtime upgrade after `handshakeDelayMs`: refuses it, or opens a session. */
export function handleRealtimeUpgrade(ctx: EmulatorContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const delayMs = ctx.options.realtime.handshakeDelayMs;
  if (delayMs <= 0) return answerUpgrade(ctx, req, socket, head);
  const { pending } = endpointFor(ctx);
  pending.add(socket);
  const cancel = (): void => {
    clearTimeout(timer);
    pending.delete(socket);
  };
  const timer = setTimeout(() => {
    socket.off('close', cancel);
    pending.delete(socket);
    if (!socket.destroyed) answerUpgrade(ctx, req, socket, head);
  }, delayMs);
  socket.once('close', cancel);
}

/**
 * Closes every realtime socket of `ctx` (no close frame) and every upgrade still waiting.
 * @remarks Upgraded sockets leave the HTTP server's bookkeeping, so the server calls this when it stops.
 */
export function stopRealtime(ctx: EmulatorContext): void {
  const endpoint = endpoints.get(ctx);
  if (endpoint === undefined) return;
  for (const socket of endpoint.pending) socket.destroy();
  endpoint.pending.clear();
  for (const client of endpoint.wss.clients) client.terminate();
}

function answerUpgrade(ctx: EmulatorContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const model = new URL(req.url ?? '/', 'http://emulator').searchParams.get('model');
  const status = refusal(ctx, req, model);
  if (status !== null) return refuse(socket, status);
  const limited = admitSession(ctx, req.headers.authorization ?? '', Date.now());
  if (limited !== undefined) return refuse(socket, 429, SESSION_LIMIT_REFUSALS[limited]);
  endpointFor(ctx).wss.handleUpgrade(req, socket, head, (ws) => {
    ctx.stats.realtimeSessions += 1;
    new RealtimeSession(ctx, ws, model ?? '').open();
  });
}

/** The status the upgrade is refused with, or null: the `handshakeStatus` fault, then auth, then `model`. */
function refusal(ctx: EmulatorContext, req: IncomingMessage, model: string | null): 401 | 429 | 400 | null {
  const faulted = ctx.faults.realtime.handshakeStatus;
  if (faulted !== null) {
    ctx.faults.realtime.handshakeStatus = null;
    return faulted;
  }
  if (!isAuthorized(req, ctx.options.apiKey)) return 401;
  if (model === null || model === '') return 400;
  return null;
}

function refuse(
  socket: Duplex,
  status: keyof typeof HANDSHAKE_REFUSALS,
  refusal: { code: string; message: string } = HANDSHAKE_REFUSALS[status],
): void {
  const body = JSON.stringify({ ...refusal, request_id: requestId() });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
