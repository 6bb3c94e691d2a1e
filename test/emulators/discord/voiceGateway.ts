/**
 * The voice gateway v8 over TLS (`wss://localhost:V/?v=8`): HELLO, IDENTIFY → READY, SELECT_PROTOCOL →
 * SESSION_DESCRIPTION (`dave_protocol_version` 1 when both sides speak DAVE), heartbeats with
 * `seq_ack`, SPEAKING, RESUME (spec §3), and DAVE ops 21–31 routed to the guild's call (daveCall.ts).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { EmulatorContext } from './context.ts';
import type { CallMember } from './daveCall.ts';
import { callFor, joinBot } from './daveMembers.ts';
import { DaveOp } from './daveRecord.ts';
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

/** The bot as a call member; `conn` follows RESUMEs onto the new socket. */
interface BotMember extends CallMember {
  conn: Connection;
}

const botMembers = new WeakMap<GuildVoiceState, BotMember>();

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
  if (isBinary) return onBinary(ctx, conn, raw);
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
  else if (packet.op === DaveOp.TransitionReady) conn.state.call?.ready(ctx.bot.id, Number(d.transition_id));
  else if (packet.op === DaveOp.InvalidCommitWelcome) conn.state.call?.onInvalid(ctx.bot.id, Number(d.transition_id));
  ctx.watch.notify();
}

/** Client→server binary frames: `[u8 opcode][payload]` (op 26 key package, op 28 commit + welcome). */
function onBinary(ctx: EmulatorContext, conn: Connection, raw: RawData): void {
  const bytes = Buffer.isBuffer(raw) ? raw : Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
  const call = conn.state?.call;
  if (call === undefined || call === null || bytes.length < 2) return;
  try {
    if (bytes[0] === DaveOp.KeyPackage) call.onKeyPackage(ctx.bot.id, bytes.subarray(1));
    else if (bytes[0] === DaveOp.CommitWelcome) call.onCommitWelcome(ctx.bot.id, bytes.subarray(1));
  } catch {
    // A malformed MLS message is ignored, as the gateway would refuse to relay it.
  }
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
  const version = ctx.options.daveVersion >= 1 && (state.view.daveVersionOffered ?? 0) >= 1 ? 1 : 0;
  state.view.daveVersion = version;
  send(conn, {
    op: 4,
    d: {
      audio_codec: 'opus',
      video_codec: 'H264',
      media_session_id: randomBytes(16).toString('hex'),
      mode,
      secret_key: [...state.secretKey],
      dave_protocol_version: version,
    },
  });
  state.view.connected = true;
  const bot: BotMember = {
    userId: ctx.bot.id,
    conn,
    sendJson: (op, payload) => send(bot.conn, { op, d: payload }),
    sendBinary: (op, payload) => sendBinary(bot.conn, op, payload),
  };
  botMembers.set(state, bot);
  joinBot(ctx, state, callFor(ctx, state, state.view.channelId ?? '0', version), bot);
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
  const bot = botMembers.get(state);
  if (bot !== undefined) bot.conn = conn;
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

/** Server→client binary frames: `[u16 sequence][u8 opcode][payload]`, sharing the JSON sequence. */
function sendBinary(conn: Connection, op: number, payload: Buffer): void {
  if (conn.ws.readyState !== conn.ws.OPEN) return;
  const header = Buffer.alloc(3);
  header.writeUInt16BE(++conn.seq & 0xffff, 0);
  header[2] = op;
  conn.ws.send(Buffer.concat([header, payload]));
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
