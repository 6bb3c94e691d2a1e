/**
 * Observation helpers: recorded REST calls (and scripted failures), registered commands, gateway sessions.
 */
import type { RegisteredCommand } from './commands.ts';
import type { EmulatorContext } from './context.ts';
import type { Gateway } from './gateway.ts';
import type { RestCall } from './types.ts';
import { DEFAULT_WAIT_MS } from './watch.ts';

/** A failure to script with {@link RestApi.fail}. */
export interface RestFaultSpec {
  method?: string;
  /** Exact decoded path after `/api/v10`, or a pattern. */
  path: string | RegExp;
  status: number;
  code?: number;
  message?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
}

/** Recorded REST traffic and scripted failures. */
export interface RestApi {
  /** Every request, in arrival order. */
  readonly calls: readonly RestCall[];
  /** Calls with `method` whose path equals `path` or matches it. */
  find(method: string, path: string | RegExp): RestCall[];
  /** The first call (past or future) matching `predicate`. */
  waitFor(predicate: (call: RestCall) => boolean, timeoutMs?: number): Promise<RestCall>;
  /** Makes the next matching request(s) fail with a Discord error body `{ message, code }`. */
  fail(fault: RestFaultSpec): void;
}

/** Commands the bot registered with `PUT`/`POST …/commands`. */
export interface CommandsApi {
  global(): RegisteredCommand[];
  guild(guildId: string): RegisteredCommand[];
  /** Resolves with the scope's commands once it has at least one (`null` = global). */
  waitFor(guildId: string | null, timeoutMs?: number): Promise<RegisteredCommand[]>;
}

/** The main gateway as the emulator saw it. */
export interface GatewayApi {
  /** Every IDENTIFY `d` (token, intents, properties…). */
  readonly identifies: ReadonlyArray<Record<string, unknown>>;
  /** Every op 3 presence update `d`. */
  readonly presences: readonly unknown[];
  /** Number of successful RESUMEs. */
  readonly resumes: number;
  /** Heartbeats (op 1) received, each answered with op 11. */
  readonly heartbeats: number;
  /** Intents of the connected session (null when none). */
  intents(): number | null;
  connected(): boolean;
  /** Resolves once a bot has identified (READY and GUILD_CREATEs are sent). */
  waitForBot(timeoutMs?: number): Promise<void>;
  /** IDENTIFYs refused (close 4010) because their shard already had a live session. */
  readonly duplicateIdentifies: number;
  /** `[shard_id, num_shards]` of every live session, in identify order. */
  liveShards(): Array<readonly [number, number]>;
  /** Resolves once a session on `shardId` is live (READY and its guilds' GUILD_CREATEs are sent). */
  waitForShard(shardId: number, timeoutMs?: number): Promise<void>;
  /** Closes the bot's socket: 4000 (default) makes discord.js resume, 1000 re-identify. */
  disconnect(code?: number): void;
  /** Sends op 7 RECONNECT. */
  requestReconnect(): void;
}

/** The REST API over `ctx`. */
export function restApi(ctx: EmulatorContext): RestApi {
  const matches = (call: RestCall, path: string | RegExp): boolean =>
    typeof path === 'string' ? call.path === path : path.test(call.path);
  return {
    calls: ctx.restCalls,
    find: (method, path) => ctx.restCalls.filter((c) => c.method === method && matches(c, path)),
    waitFor: (predicate, timeoutMs = DEFAULT_WAIT_MS) =>
      ctx.watch.until(() => ctx.restCalls.find(predicate), timeoutMs, 'a matching REST call'),
    fail: (spec) => {
      ctx.faults.push({
        method: spec.method,
        path: spec.path,
        status: spec.status,
        remaining: spec.times ?? 1,
        body: { message: spec.message ?? 'Emulated failure', code: spec.code ?? 0 },
      });
    },
  };
}

/** The commands API over `ctx`. */
export function commandsApi(ctx: EmulatorContext): CommandsApi {
  const scope = (guildId: string | null): RegisteredCommand[] =>
    guildId === null ? ctx.commands.global : (ctx.commands.guilds.get(guildId) ?? []);
  return {
    global: () => scope(null),
    guild: (guildId) => scope(guildId),
    waitFor: (guildId, timeoutMs = DEFAULT_WAIT_MS) =>
      ctx.watch.until(
        () => (scope(guildId).length > 0 ? scope(guildId) : undefined),
        timeoutMs,
        `commands registered for ${guildId ?? 'global'}`,
      ),
  };
}

/** The gateway API over `ctx`. */
export function gatewayApi(ctx: EmulatorContext, gateway: Gateway): GatewayApi {
  const live = () => [...gateway.sessions.values()].find((s) => s.socket !== null);
  return {
    identifies: gateway.identifies,
    presences: gateway.presences,
    get resumes() {
      return gateway.resumes;
    },
    get heartbeats() {
      return gateway.heartbeats;
    },
    get duplicateIdentifies() {
      return gateway.duplicateIdentifies;
    },
    liveShards: () => [...gateway.sessions.values()].filter((s) => s.socket !== null).map((s) => s.shard),
    waitForShard: async (shardId, timeoutMs = DEFAULT_WAIT_MS) => {
      const up = () => [...gateway.sessions.values()].some((s) => s.socket !== null && s.shard[0] === shardId);
      await ctx.watch.until(() => (up() ? true : undefined), timeoutMs, `shard ${shardId} to identify`);
    },
    intents: () => live()?.intents ?? null,
    connected: () => live() !== undefined,
    waitForBot: async (timeoutMs = DEFAULT_WAIT_MS) => {
      await ctx.watch.until(() => (live() ? true : undefined), timeoutMs, 'the bot to identify');
    },
    disconnect: (code) => gateway.disconnect(code),
    requestReconnect: () => gateway.requestReconnect(),
  };
}
