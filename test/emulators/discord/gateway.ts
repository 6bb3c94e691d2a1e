/**
 * The main gateway (JSON text frames, no compression): HELLO, heartbeats, IDENTIFY → READY +
 * GUILD_CREATE, RESUME with replay, op 4 voice requests, op 8 member requests, and dispatch.
 * Sharded: each session gets only the events of guilds on its shard (`(guild_id >> 22) % num_shards`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { EmulatorContext } from './context.ts';
import { guildCreatePayload, memberPayload, userPayload } from './guildPayloads.ts';
import { randomToken } from './ids.ts';
import { guildOfEvent, parseShard, type ShardTuple, shardReceives } from './shards.ts';

/** One bot gateway session. */
export interface GatewaySession {
  id: string;
  intents: number;
  identify: Record<string, unknown>;
  shard: ShardTuple;
  seq: number;
  events: Array<{ s: number; t: string; d: unknown }>;
  socket: WebSocket | null;
}

/** What the gateway records and lets a test do. */
export interface Gateway {
  sessions: Map<string, GatewaySession>;
  /** Every IDENTIFY `d`, in order. */
  identifies: Array<Record<string, unknown>>;
  resumes: number;
  heartbeats: number;
  /** IDENTIFYs refused because their shard already had a live session. */
  duplicateIdentifies: number;
  /** Every op 3 presence update `d`. */
  presences: unknown[];
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Closes every bot socket with `code` (4000 = resumable, 1000 = fresh identify). */
  disconnect(code?: number): void;
  /** Sends op 7 RECONNECT to every bot socket. */
  requestReconnect(): void;
  close(): void;
}

const MAX_REPLAY_EVENTS = 1_000;

/** Starts the gateway over `ctx`; `onVoiceRequest` handles op 4. */
export function createGateway(ctx: EmulatorContext, onVoiceRequest: (d: Record<string, unknown>) => void): Gateway {
  const wss = new WebSocketServer({ noServer: true });
  const gateway: Gateway = {
    sessions: new Map(),
    identifies: [],
    resumes: 0,
    heartbeats: 0,
    duplicateIdentifies: 0,
    presences: [],
    handleUpgrade: (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => onConnection(ctx, gateway, ws, onVoiceRequest)),
    disconnect: (code = 4_000) => forEachSocket(gateway, (ws) => ws.close(code, 'emulator disconnect')),
    requestReconnect: () => forEachSocket(gateway, (ws) => send(ws, { op: 7, d: null })),
    close: () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
  ctx.dispatch = (event, data, intent = 0, perSession) => {
    const guildId = guildOfEvent(event, data);
    for (const session of gateway.sessions.values()) {
      if (intent !== 0 && (session.intents & intent) === 0) continue;
      if (!shardReceives(session.shard, guildId)) continue;
      dispatchTo(session, event, perSession ? perSession(session.intents) : data);
    }
    ctx.watch.notify();
  };
  ctx.gatewaySessionId = (guildId) =>
    [...gateway.sessions.values()].filter((s) => guildId === undefined || shardReceives(s.shard, guildId)).at(-1)?.id ??
    null;
  return gateway;
}

function onConnection(
  ctx: EmulatorContext,
  gateway: Gateway,
  ws: WebSocket,
  onVoiceRequest: (d: Record<string, unknown>) => void,
): void {
  let session: GatewaySession | null = null;
  ws.on('error', () => {});
  ws.on('close', () => {
    if (session?.socket === ws) session.socket = null;
    ctx.watch.notify();
  });
  ws.on('message', (raw: RawData, isBinary: boolean) => {
    const packet = isBinary ? null : parse(raw);
    if (packet === null) return;
    const d = packet.d;
    if (packet.op === 1) {
      gateway.heartbeats += 1;
      send(ws, { op: 11 });
    } else if (packet.op === 2) {
      if (session !== null) return ws.close(4_005, 'Already authenticated.');
      session = identify(ctx, gateway, ws, asObject(d));
    } else if (packet.op === 6) {
      session = resume(gateway, ws, asObject(d), ctx.options.token);
    } else if (session === null) {
      ws.close(4_003, 'Not authenticated.');
    } else if (packet.op === 3) {
      gateway.presences.push(d);
    } else if (packet.op === 4) {
      onVoiceRequest(asObject(d));
    } else if (packet.op === 8) {
      requestMembers(ctx, session, asObject(d));
    }
    ctx.watch.notify();
  });
  send(ws, { op: 10, d: { heartbeat_interval: ctx.options.heartbeatIntervalMs } });
}

function identify(
  ctx: EmulatorContext,
  gateway: Gateway,
  ws: WebSocket,
  d: Record<string, unknown>,
): GatewaySession | null {
  gateway.identifies.push(d);
  if (d.token !== ctx.options.token) {
    ws.close(4_004, 'Authentication failed.');
    return null;
  }
  const shard = parseShard(d.shard);
  if (shard === null) {
    ws.close(4_010, 'Invalid shard.');
    return null;
  }
  for (const [id, old] of gateway.sessions) if (old.socket === null) gateway.sessions.delete(id);
  if (liveOnShard(gateway, shard)) {
    gateway.duplicateIdentifies += 1;
    ws.close(4_010, `Shard [${shard.join(', ')}] already has a session.`);
    return null;
  }
  const session: GatewaySession = {
    id: randomToken('sess', 16),
    intents: Number(d.intents ?? 0),
    identify: d,
    shard,
    seq: 0,
    events: [],
    socket: ws,
  };
  gateway.sessions.set(session.id, session);
  const guilds = [...ctx.guilds.values()].filter((g) => shardReceives(shard, g.id));
  dispatchTo(session, 'READY', {
    v: 10,
    user: { ...userPayload(ctx.bot), verified: true, mfa_enabled: false },
    guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
    session_id: session.id,
    resume_gateway_url: ctx.gatewayUrl,
    shard,
    application: { id: ctx.bot.id, flags: 0 },
    private_channels: [],
    relationships: [],
    presences: [],
    guild_join_requests: [],
    user_settings: {},
    _trace: ['discord-emulator'],
  });
  for (const guild of guilds) dispatchTo(session, 'GUILD_CREATE', guildCreatePayload(guild, ctx.users));
  return session;
}

function resume(gateway: Gateway, ws: WebSocket, d: Record<string, unknown>, token: string): GatewaySession | null {
  const session = gateway.sessions.get(String(d.session_id ?? ''));
  if (session === undefined || d.token !== token) {
    send(ws, { op: 9, d: false });
    return null;
  }
  gateway.resumes += 1;
  if (session.socket !== null && session.socket !== ws) session.socket.close(4_000, 'Session resumed elsewhere');
  session.socket = ws;
  const seq = Number(d.seq ?? 0);
  for (const event of session.events) if (event.s > seq) send(ws, { op: 0, s: event.s, t: event.t, d: event.d });
  dispatchTo(session, 'RESUMED', null);
  return session;
}

/**
 * True when another live socket holds `shard`.
 * @remarks Discord itself lets a second session identify on a shard and sends that shard's events to both,
 * so two processes on one shard answer everything twice. The emulator refuses it (close 4010, which
 * discord.js treats as final) so that a test catches a process started on a shard that is already running.
 */
function liveOnShard(gateway: Gateway, shard: ShardTuple): boolean {
  return [...gateway.sessions.values()].some(
    (s) => s.socket !== null && s.shard[0] === shard[0] && s.shard[1] === shard[1],
  );
}

function requestMembers(ctx: EmulatorContext, session: GatewaySession, d: Record<string, unknown>): void {
  const guild = ctx.guilds.get(String(d.guild_id ?? ''));
  if (guild === undefined) return;
  const wanted = Array.isArray(d.user_ids)
    ? d.user_ids.map(String)
    : typeof d.user_ids === 'string'
      ? [d.user_ids]
      : null;
  const query = typeof d.query === 'string' ? d.query.toLowerCase() : '';
  const ids = [...guild.members.keys()].filter((id) =>
    wanted ? wanted.includes(id) : (ctx.users.get(id)?.username.toLowerCase().startsWith(query) ?? false),
  );
  const limit = Number(d.limit ?? 0);
  dispatchTo(session, 'GUILD_MEMBERS_CHUNK', {
    guild_id: guild.id,
    members: (limit > 0 ? ids.slice(0, limit) : ids).map((id) => memberPayload(guild, id, ctx.users)),
    chunk_index: 0,
    chunk_count: 1,
    nonce: d.nonce,
    not_found: wanted ? wanted.filter((id) => !guild.members.has(id)) : [],
  });
}

function dispatchTo(session: GatewaySession, t: string, d: unknown): void {
  session.seq += 1;
  session.events.push({ s: session.seq, t, d });
  if (session.events.length > MAX_REPLAY_EVENTS) session.events.shift();
  if (session.socket !== null) send(session.socket, { op: 0, s: session.seq, t, d });
}

function forEachSocket(gateway: Gateway, act: (ws: WebSocket) => void): void {
  for (const session of gateway.sessions.values()) if (session.socket !== null) act(session.socket);
}

function send(ws: WebSocket, packet: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(packet));
}

function parse(raw: RawData): { op: number; d: unknown } | null {
  try {
    const value = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
    return typeof value.op === 'number' ? { op: value.op, d: value.d } : null;
  } catch {
    return null;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
