/**
 * The voice gateway v8 over TLS (`wss://localhost:V/?v=8`): HELLO, IDENTIFY → READY, SELECT_PROTOCOL →
 * SESSION_DESCRIPTION (`dave_protocol_version: 0`), heartbeats, SPEAKING, RESUME (spec §3).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { EmulatorContext } from './context.ts';
import { createOpusDecoder } from './opusDecoder.ts';
import type { AeadMode } from './rtp.ts';
import type { GuildVoiceState } from './voiceRecord.ts';

/** The running voice gateway. */
export interface VoiceGateway {
  port: number;
  close(): Promise<void>;
}

interface Connection {
  ws: WebSocket;
  state: GuildVoiceState | null;
  seq: number;
  serverClose: { code: number; reason: string } | null;
}

/** Starts the TLS voice gateway on a free loopback port and wires `ctx.closeVoiceSocket`. */
export async function startVoiceGateway(
  ctx: EmulatorContext,
  tls: { cert: string; key: string },
): Promise<VoiceGateway> {
  const server = createServer({ cert: tls.cert, key: tls.key });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {});
  const wss = new WebSocketServer({ server });
  const byGuild = new Map<string, Connection>();
  let nextSsrc = randomInt(1_000, 60_000);
  wss.on('connection', (ws) => {
    const conn: Connection = { ws, state: null, seq: 0, serverClose: null };
    ws.on('error', () => {});
    ws.on('message', (raw, isBinary) => onMessage(ctx, conn, byGuild, raw, isBinary, () => nextSsrc++));
    ws.on('close', (code, reason) => onClose(ctx, conn, byGuild, code, reason.toString()));
    send(conn, { op: 8, d: { heartbeat_interval: ctx.options.voiceHeartbeatIntervalMs, v: 8 } }, false);
  });
  ctx.closeVoiceSocket = (guildId, code, reason) => {
    const conn = byGuild.get(guildId);
    if (conn === undefined) return;
    conn.serverClose = { code, reason };
    conn.ws.close(code, reason);
  };
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
  return { port, close: () => closeServer(server, wss, sockets) };
}

function onMessage(
  ctx: EmulatorContext,
  conn: Connection,
  byGuild: Map<string, Connection>,
  raw: RawData,
  isBinary: boolean,
  ssrc: () => number,
): void {
  if (isBinary) return;
  const packet = parse(raw);
  if (packet === null) return;
  const d = packet.d;
  if (packet.op === 0) identify(ctx, conn, byGuild, d, ssrc);
  else if (packet.op === 7) resume(ctx, conn, byGuild, d);
  else if (packet.op === 3) heartbeat(conn, d, packet.rawD);
  else if (conn.state === null) conn.ws.close(4_003, 'Not authenticated.');
  else if (packet.op === 1) selectProtocol(ctx, conn, d);
  else if (packet.op === 5)
    conn.state.view.speaking.push({
      at: performance.now(),
      speaking: Number(d.speaking ?? 0),
      ssrc: Number(d.ssrc ?? 0),
    });
  ctx.watch.notify();
}

function heartbeat(conn: Connection, d: Record<string, unknown>, rawD: unknown): void {
  if (conn.state !== null) conn.state.view.heartbeats += 1;
  send(conn, { op: 6, d: { t: typeof d.t === 'number' ? d.t : rawD } }, false);
}

function identify(
  ctx: EmulatorContext,
  conn: Connection,
  byGuild: Map<string, Connection>,
  d: Record<string, unknown>,
  ssrc: () => number,
): void {
  const state = ctx.voice.get(String(d.server_id ?? ''));
  if (
    state === undefined ||
    state.token === null ||
    d.token !== state.token ||
    d.session_id !== state.sessionId ||
    d.user_id !== ctx.bot.id
  ) {
    conn.ws.close(4_004, 'Authentication failed.');
    return;
  }
  state.view.identifies += 1;
  state.view.daveVersionOffered = Number(d.max_dave_protocol_version ?? 0);
  if (ctx.options.requireDave && state.view.daveVersionOffered === 0) {
    attach(state, conn, byGuild);
    conn.serverClose = { code: 4_017, reason: 'E2EE/DAVE protocol required' };
    conn.ws.close(4_017, 'E2EE/DAVE protocol required');
    return;
  }
  attach(state, conn, byGuild);
  if (state.view.ssrc !== null) ctx.ssrcs.delete(state.view.ssrc);
  state.view.ssrc = ssrc();
  ctx.ssrcs.set(state.view.ssrc, state);
  state.decoder?.destroy();
  state.decoder = createOpusDecoder();
  state.secretKey = null;
  send(conn, {
    op: 2,
    d: { ssrc: state.view.ssrc, ip: '127.0.0.1', port: ctx.udpPort, modes: ctx.options.modes, experiments: [] },
  });
}

function selectProtocol(ctx: EmulatorContext, conn: Connection, d: Record<string, unknown>): void {
  const state = conn.state!;
  const data = (d.data ?? {}) as { address?: unknown; port?: unknown; mode?: unknown };
  const mode = String(data.mode ?? '') as AeadMode;
  if (!ctx.options.modes.includes(mode)) {
    conn.ws.close(4_016, 'Unknown encryption mode.');
    return;
  }
  state.secretKey = randomBytes(32);
  state.view.mode = mode;
  if (typeof data.address === 'string' && typeof data.port === 'number')
    state.view.clientAddress = { address: data.address, port: data.port };
  send(conn, {
    op: 4,
    d: {
      audio_codec: 'opus',
      video_codec: 'H264',
      media_session_id: randomBytes(16).toString('hex'),
      mode,
      secret_key: [...state.secretKey],
      dave_protocol_version: 0,
    },
  });
  state.view.connected = true;
}

function resume(
  ctx: EmulatorContext,
  conn: Connection,
  byGuild: Map<string, Connection>,
  d: Record<string, unknown>,
): void {
  const state = ctx.voice.get(String(d.server_id ?? ''));
  if (
    state === undefined ||
    state.token === null ||
    d.token !== state.token ||
    d.session_id !== state.sessionId ||
    state.secretKey === null
  ) {
    conn.ws.close(4_006, 'Session no longer valid.');
    return;
  }
  attach(state, conn, byGuild);
  state.view.resumes += 1;
  state.view.connected = true;
  send(conn, { op: 9, d: null });
}

function attach(state: GuildVoiceState, conn: Connection, byGuild: Map<string, Connection>): void {
  const previous = byGuild.get(state.view.guildId);
  if (previous !== undefined && previous !== conn) previous.ws.terminate();
  conn.state = state;
  byGuild.set(state.view.guildId, conn);
}

function onClose(
  ctx: EmulatorContext,
  conn: Connection,
  byGuild: Map<string, Connection>,
  code: number,
  reason: string,
): void {
  const state = conn.state;
  if (state === null) return;
  const by = conn.serverClose ? 'server' : 'client';
  state.view.closes.push({
    at: performance.now(),
    code: conn.serverClose?.code ?? code,
    reason: conn.serverClose?.reason ?? reason,
    by,
  });
  if (byGuild.get(state.view.guildId) === conn) {
    byGuild.delete(state.view.guildId);
    state.view.connected = false;
  }
  ctx.watch.notify();
}

function send(conn: Connection, packet: { op: number; d: unknown }, withSeq = true): void {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  conn.ws.send(JSON.stringify(withSeq ? { ...packet, seq: ++conn.seq } : packet));
}

function parse(raw: RawData): { op: number; d: Record<string, unknown>; rawD: unknown } | null {
  try {
    const value = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
    if (typeof value.op !== 'number') return null;
    const d = typeof value.d === 'object' && value.d !== null ? (value.d as Record<string, unknown>) : {};
    return { op: value.op, d, rawD: value.d };
  } catch {
    return null;
  }
}

function closeServer(server: Server, wss: WebSocketServer, sockets: Set<Socket>): Promise<void> {
  for (const ws of wss.clients) ws.terminate();
  wss.close();
  for (const socket of sockets) socket.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
